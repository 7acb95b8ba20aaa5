"""``gptls demo`` (or ``--demo``): see gptls work in an editor before entering an API key.

A stand-in for the Responses API runs on 127.0.0.1 in this process (a thread, so the server's event loop never
waits on it) and answers every action with a canned answer built from the request: a marked comment added
to the code, a placeholder body, canned complexity figures. Nothing leaves the machine, the user's key is
never read or sent, and state (usage, model catalogue) goes to a temporary directory, not the user's.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Mapping, MutableMapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gptls.canned import MARK
from gptls.languages import comment_prefix as comment

NOTICE = (
    "gptls demo: every answer is canned (marked 'gptls demo'); no model is asked and nothing leaves this "
    "machine. Set OPENAI_API_KEY and start gptls without --demo for real answers."
)
MODELS = ("gpt-5-mini", "gpt-5-nano", "gpt-5")
DEMO_KEY = "gptls-demo-no-key"


def _language(text: str) -> str:
    found = re.search(r"^Language: (\S+)$", text, re.MULTILINE) or re.search(r"^File: .*\((\S+)\)$", text, re.M)
    return found.group(1) if found else "plaintext"


def _target(text: str) -> str:
    found = re.search(r"^<<<target\n(.*)\n>>>target$", text, re.DOTALL | re.MULTILINE)
    return found.group(1) if found else ""


def canned_output(body: Mapping[str, Any]) -> str:
    """The text a canned answer to this Responses request holds: JSON for the given schema, else plain text
    (inline completions)."""
    raw = body.get("input")
    text = raw if isinstance(raw, str) else json.dumps(raw)
    language = _language(text)
    fmt = body.get("text", {}).get("format", {}) if isinstance(body.get("text"), Mapping) else {}
    if not isinstance(fmt, Mapping) or fmt.get("type") != "json_schema":
        from gptls.actions import by_instructions

        prose = by_instructions(str(body.get("instructions") or ""))  # an action that answers in prose (Ask)
        if prose is not None and prose.demo_answer is not None:
            return str(prose.demo_answer(_target(text), language).get("answer", MARK))
        return f" {comment(language)} {MARK}"  # an inline completion
    from gptls.actions import by_format_name
    from gptls.canned import from_schema

    schema = fmt.get("schema") if isinstance(fmt.get("schema"), Mapping) else {}
    target = _target(text)
    action = by_format_name(str(fmt.get("name", "")))
    if action is not None and action.demo_answer is not None:
        return json.dumps(action.demo_answer(target, language))
    return json.dumps(from_schema(schema or {}, target, language))


def response_object(body: Mapping[str, Any]) -> dict[str, Any]:
    """A completed Response holding the canned answer; usage is zero (nothing was spent)."""
    stamp = int(time.time())
    return {
        "id": f"resp_demo{time.monotonic_ns():x}",
        "object": "response",
        "created_at": stamp,
        "status": "completed",
        "model": str(body.get("model") or MODELS[0]),
        "output": [
            {
                "type": "message",
                "id": f"msg_demo{time.monotonic_ns():x}",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": canned_output(body), "annotations": []}],
            }
        ],
        "usage": {
            "input_tokens": 0,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": 0,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": 0,
        },
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            body = None
        if not self.path.rstrip("/").endswith("/responses") or not isinstance(body, dict):
            self._send(400, {"error": {"message": "gptls demo answers POST /v1/responses only", "type": "invalid"}})
            return
        # Always one JSON object, even for stream: true: the client reads that as a backend that ignores it.
        self._send(200, response_object(body))

    def do_GET(self) -> None:
        path = self.path.rstrip("/")
        if path.endswith("/models"):
            models = [{"id": m, "object": "model", "created": 0, "owned_by": "gptls-demo"} for m in MODELS]
            self._send(200, {"object": "list", "data": models})
        elif "/models/" in path:
            model = path.rsplit("/", 1)[-1]
            self._send(200, {"id": model, "object": "model", "created": 0, "owned_by": "gptls-demo"})
        else:
            self._send(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def _send(self, status: int, payload: Mapping[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # stderr is the LSP log channel's fallback
        pass


def start_stand_in() -> str:
    """Start the stand-in on a free port of 127.0.0.1; its base URL (it stops with the process)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="gptls-demo", daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/v1"


def enter_demo(environ: MutableMapping[str, str] | None = None) -> str:
    """Point this process at the stand-in: the endpoint and a placeholder key replace the user's (the
    environment wins over every other source of settings), state goes to a temporary directory."""
    env = os.environ if environ is None else environ
    url = start_stand_in()
    env["OPENAI_BASE_URL"] = url
    env["OPENAI_API_KEY"] = DEMO_KEY
    state = tempfile.mkdtemp(prefix="gptls-demo-")
    # Gone when the process ends (an editor's `exit` too): a demo a day would otherwise fill the temp folder.
    _STATE.append(state)
    atexit.register(remove_state)
    env["XDG_STATE_HOME"] = state
    for name in ("OPENAI_ORG_ID", "OPENAI_PROJECT_ID"):
        env.pop(name, None)
    # "Nothing leaves the machine": the HTTP client honours proxy variables, and a proxy would carry the
    # user's code to another host on its way to 127.0.0.1.
    for name in list(env):
        if name.lower() in PROXY_VARIABLES:
            del env[name]
    return url


_STATE: list[str] = []


def remove_state() -> None:
    """Remove the demo's temporary state folder: at exit, and before a Ctrl-C that leaves with ``os._exit``."""
    while _STATE:
        shutil.rmtree(_STATE.pop(), ignore_errors=True)


PROXY_VARIABLES = frozenset({"http_proxy", "https_proxy", "all_proxy", "no_proxy"})
