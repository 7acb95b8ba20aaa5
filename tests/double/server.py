"""A faithful Responses API double: a real HTTP/1.1 server on 127.0.0.1, in a thread of its own.

Tests script it (``double.script(replies.text("..."))``), point gptls at ``double.base_url`` and read what
it received. Every request body is validated against the official schema extract; a payload the real API
would reject gets the API's 400 and is recorded in ``schema_violations`` (the pytest fixture fails the test
on any). Written on raw asyncio streams so the chaos replies (TCP reset, slow drip, a chunked stream cut
mid-way) are exactly what a client would see from a broken network.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import socket
import struct
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from tests.double import replies
from tests.double.replies import Reply

# Requests are checked against the strict extract, the double's own answers against the lenient one (real
# answers carry "user": null, "usage": null on early events and nested error frames): both are copies of
# shared/openai/, and .ci/run fails when they differ from it.
_SPEC = json.loads((replies.SPEC_DIR / "responses-openapi-extract.json").read_text())
_VALIDATOR = Draft202012Validator({"$ref": "#/$defs/CreateResponse", "$defs": _SPEC["$defs"]})
_LENIENT = json.loads((replies.SPEC_DIR / "responses-openapi-extract.lenient.json").read_text())
_ANSWER_VALIDATORS = {
    name: Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": _LENIENT["$defs"]})
    for name in ("Response", "ResponseStreamEvent", "ErrorResponse")
}
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    413: "Payload Too Large",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _known_fields(schema: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if "$ref" in node:
            stack.append(_SPEC["$defs"][node["$ref"].split("/")[-1]])
        names.update(node.get("properties", {}))
        for key in ("allOf", "anyOf", "oneOf"):
            stack.extend(n for n in node.get(key, []) if isinstance(n, dict))
    return names


KNOWN_FIELDS = _known_fields(_SPEC["$defs"]["CreateResponse"])


def schema_problems(body: Any) -> list[str]:
    """Why the real API would reject this request body ([] when it would take it)."""
    if not isinstance(body, dict):
        return ["body is not a JSON object"]
    problems = [f"Unknown parameter: '{k}'." for k in body if k not in KNOWN_FIELDS]
    problems += [
        f"{'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message[:300]}" for e in _VALIDATOR.iter_errors(body)
    ]
    return problems


def child_env(pointing_at: Mapping[str, str], *, drop: tuple[str, ...] = ("OPENAI_",), **extra: str) -> dict[str, str]:
    """The environment for a child process (gptls, an editor) that must reach nothing but the double:
    this process' environment without the developer's OPENAI_* variables, then the double's URL and key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    # Its own state dir (consent, model catalogue, warnings given today): never the developer's, never shared;
    # and its own (empty) config dir, so the developer's gptls config file never reaches a test.
    env["XDG_STATE_HOME"] = _fresh_state_dir()
    env["XDG_CONFIG_HOME"] = _fresh_state_dir()
    env.update(pointing_at)
    env.update(extra)
    return env


def _event_validators() -> dict[str, list[Draft202012Validator]]:
    """ResponseStreamEvent is an anyOf of 59 branches; checking an event against the branches of its own
    ``type`` says the same and keeps a burst of streamed answers fast."""
    by_type: dict[str, list[Draft202012Validator]] = {}
    for branch in _LENIENT["$defs"]["ResponseStreamEvent"]["anyOf"]:
        name = branch["$ref"].split("/")[-1]
        for kind in _LENIENT["$defs"][name]["properties"]["type"].get("enum", []):
            validator = Draft202012Validator({"$ref": f"#/$defs/{name}", "$defs": _LENIENT["$defs"]})
            by_type.setdefault(kind, []).append(validator)
    return by_type


_EVENT_VALIDATORS = _event_validators()


def answer_problems(kind: str, payload: Any) -> list[str]:
    """Why a real client would not recognise this answer (a Response, a stream event or an error body)."""
    if kind == "ResponseStreamEvent" and isinstance(payload, dict):
        branches = _EVENT_VALIDATORS.get(str(payload.get("type")), [])
        errors = [list(v.iter_errors(payload)) for v in branches]
        if any(not found for found in errors):
            return []
        if not branches:
            return [f"stream event of unknown type {payload.get('type')!r}"]
        found = min(errors, key=len)
    else:
        found = list(_ANSWER_VALIDATORS[kind].iter_errors(payload))
    return [f"{kind} {'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message[:300]}" for e in found]


@dataclass(frozen=True)
class ModelRules:
    """What one model serves and refuses, as the real API enforces it before answering."""

    shutdown_date: str | None = None
    efforts: tuple[str, ...] = ("none", "low", "medium", "high", "xhigh")
    sampling: bool = False  # takes temperature/top_p other than 1
    retired: bool = False  # answers 404 model_not_found (after its shutdown date)
    usable: bool = True  # listed by GET /models for this key


GPT5_MINI = ModelRules(efforts=("minimal", "low", "medium", "high"))


def default_models() -> dict[str, ModelRules]:
    """The catalogue the double serves unless a test changes it. No shutdown dates: the suite must behave the
    same whatever today's date is; tests of the shutdown set dates relative to today."""
    return {
        "gpt-5-mini": GPT5_MINI,
        "gpt-5-mini-2025-08-07": GPT5_MINI,
        "gpt-5": GPT5_MINI,
        "gpt-5-nano": GPT5_MINI,
        "gpt-6.1-terra": ModelRules(),
        "gpt-5.6-terra": ModelRules(),
        "gpt-4.1-mini": ModelRules(efforts=(), sampling=True),
    }


def _fresh_state_dir() -> str:
    path = tempfile.mkdtemp(prefix="gptls-test-state-")
    atexit.register(shutil.rmtree, path, True)
    return path


@dataclass
class Received:
    """One request as the double saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: Any
    raw: bytes
    started: float = field(default_factory=time.monotonic)
    aborted_at: float | None = None  # when the client closed the connection before the answer ended
    finished: bool = False
    finished_at: float | None = None  # when the answer's last byte was sent


class ResponsesDouble:
    def __init__(self, api_key: str | None = "sk-test-double-key-0123456789") -> None:
        self.api_key = api_key
        self.requests: list[Received] = []  # POST /responses only: the calls that cost tokens
        self.catalogue_requests: list[Received] = []  # GET /models and /models/{id}
        self.models = default_models()
        self.serves_catalogue = True  # False: /models is 404, like a backend that has none
        self.schema_violations: list[tuple[Received, list[str]]] = []
        self.answer_violations: list[str] = []
        self.validate_answers = True  # the bench's backend turns it off: it measures gptls, not the double
        self.responder: Callable[[Received], Reply] = lambda _request: replies.text("ok")
        self.echo_key_in_errors = False
        self.max_in_flight = 0
        self.connections_opened = 0
        self._in_flight = 0
        self._script: deque[Reply] = deque()
        self._recent_prompts: dict[str, deque[str]] = {}
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._run, name="responses-double", daemon=True)
        self.port = 0

    # -- control, from the test's thread --------------------------------------------------------

    def start(self) -> ResponsesDouble:
        ready = threading.Event()
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(ready), self._loop)
        if not ready.wait(10):
            raise RuntimeError("the Responses double did not start")
        return self

    def stop(self) -> None:
        async def close() -> None:
            if self._server is not None:
                self._server.close()
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *answers: Reply) -> None:
        """Queue answers for the next requests, in order; after them ``responder`` answers."""
        with self._lock:
            self._script.extend(answers)

    def clear_script(self) -> None:
        """Forget scripted answers not used yet (a call that was not retried leaves its spares behind)."""
        with self._lock:
            self._script.clear()

    def env(self) -> dict[str, str]:
        """Environment variables that point gptls at this double."""
        return {"OPENAI_BASE_URL": self.base_url, "OPENAI_API_KEY": self.api_key or ""}

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"the double saw {len(self.requests)} requests, expected {count}")
            return list(self.requests)

    def wait_for_abort(self, index: int = -1, timeout: float = 10.0) -> Received:
        """Block until request ``index`` was abandoned by the client (connection closed mid-answer)."""
        with self._changed:
            ok = self._changed.wait_for(
                lambda: bool(self.requests) and self.requests[index].aborted_at is not None, timeout
            )
            if not ok:
                raise AssertionError("the client never closed the connection")
            return self.requests[index]

    def wait_until_idle(self, timeout: float = 10.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._in_flight == 0, timeout):
                raise AssertionError(f"{self._in_flight} requests still in flight")

    @property
    def bodies(self) -> list[Any]:
        return [r.body for r in self.requests]

    # -- the server, in its own thread ----------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_forever()

    async def _listen(self, ready: threading.Event) -> None:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0, backlog=512)
        self.port = self._server.sockets[0].getsockname()[1]
        ready.set()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with self._lock:
            self.connections_opened += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request = self._parse_head(head)
                length = int(request.headers.get("content-length", "0") or 0)
                request.raw = await reader.readexactly(length) if length else b""
                keep_going = await self._serve(request, reader, writer)
                if not keep_going:
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    def _parse_head(self, head: bytes) -> Received:
        lines = head.decode("latin-1").split("\r\n")
        method, path, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers[name.strip().lower()] = value.strip()
        return Received(method=method, path=path, headers=headers, body=None, raw=b"")

    async def _serve(self, request: Received, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        try:
            request.body = json.loads(request.raw) if request.raw else None
        except ValueError:
            request.body = None
        if request.method == "GET" and request.path.split("?")[0].rstrip("/").startswith("/v1/models"):
            return await self._serve_catalogue(request, writer)
        with self._changed:
            self.requests.append(request)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
            self._changed.notify_all()
        watcher = asyncio.ensure_future(reader.read(1))  # b"" when the client hangs up
        sent = False
        try:
            reply = self._choose(request)
            sent = await self._answer(request, reply, writer, watcher)
        finally:
            if watcher.done() and not watcher.cancelled() and watcher.exception() is None:
                early = watcher.result()
                if early:
                    # The client already sent the next request on this kept-alive connection: put the
                    # byte the watcher took back in front of the buffer.
                    reader._buffer[0:0] = early  # type: ignore[attr-defined]
                else:
                    sent = False
            watcher.cancel()
            # The answer is out: counted as finished before yielding to the loop, or a client that got it and
            # sent its next request on another connection meanwhile is counted twice (one over its limit).
            with self._changed:
                self._in_flight -= 1
                request.finished = True
                request.finished_at = time.monotonic()
                self._changed.notify_all()
            # Let the watcher unwind before the next readuntil() on this connection: a StreamReader takes
            # one waiter at a time.
            await asyncio.gather(watcher, return_exceptions=True)
        return sent

    async def _serve_catalogue(self, request: Received, writer: asyncio.StreamWriter) -> bool:
        with self._changed:
            self.catalogue_requests.append(request)
            self._changed.notify_all()
        status, payload = self._catalogue(request)
        if status >= 400:
            self._check_answer("ErrorResponse", payload)
        body = json.dumps(payload).encode()
        headers = {"content-type": "application/json", "content-length": str(len(body)), "x-request-id": "req_models"}
        writer.write(self._head(status, headers) + body)
        await writer.drain()
        return True

    def _catalogue(self, request: Received) -> tuple[int, dict[str, Any]]:
        """``GET /v1/models`` (what this key may use) and ``GET /v1/models/{id}`` (one Model, with shutdown_date)."""
        path = request.path.split("?")[0].rstrip("/")
        if self.api_key is not None and request.headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, replies.invalid_api_key("sk-***").error_body or {}
        if not self.serves_catalogue:
            return 404, {
                "error": {
                    "message": f"Invalid URL (GET {path})",
                    "type": "invalid_request_error",
                    "param": None,
                    "code": None,
                }
            }
        if path == "/v1/models":
            listed = [_model_object(name, rules) for name, rules in self.models.items() if _served(rules)]
            return 200, {"object": "list", "data": listed}
        name = path.removeprefix("/v1/models/")
        rules = self.models.get(name)
        if rules is None or not _served(rules):
            return 404, replies.not_found(name).error_body or {}
        return 200, _model_object(name, rules)

    def _model_rules(self, body: dict[str, Any]) -> Reply | None:
        """The 404 or 400 the real API gives this model for this body, or None when it takes it."""
        model = str(body.get("model"))
        rules = self.models.get(model)
        if rules is None or not _served(rules):
            return replies.not_found(model)
        effort = (body.get("reasoning") or {}).get("effort")
        if effort is not None and not rules.efforts:
            return replies.unsupported_parameter("reasoning.effort")
        if effort is not None and effort not in rules.efforts:
            return replies.unsupported_value("reasoning.effort", effort, model, list(rules.efforts))
        for param in ("temperature", "top_p"):
            if param in body and not rules.sampling and body[param] != 1:
                return replies.temperature_refused(param, body[param])
        return None

    def _check_answer(self, kind: str, payload: Any) -> None:
        if not self.validate_answers:
            return
        problems = answer_problems(kind, payload)
        if problems:
            with self._lock:
                self.answer_violations.extend(problems)

    def _cached_tokens(self, body: dict[str, Any]) -> int:
        """Prompt caching as OpenAI reports it: the prefix this prompt shares with a recent one (same
        ``prompt_cache_key``), counted only from 1,024 tokens and in 128-token steps (a token is ~4 characters
        here, as the double counts input tokens)."""
        prompt = (body.get("instructions") or "") + json.dumps(body.get("input", ""))
        key = str(body.get("prompt_cache_key"))
        with self._lock:
            recent = self._recent_prompts.setdefault(key, deque(maxlen=64))
            shared = max((_shared_prefix(prompt, seen) for seen in recent), default=0)
            recent.append(prompt)
        tokens = shared // 4
        return 0 if tokens < 1024 else 1024 + (tokens - 1024) // 128 * 128

    def _choose(self, request: Received) -> Reply:
        if request.method != "POST" or request.path.rstrip("/") != "/v1/responses":
            return replies.error(404, f"Invalid URL ({request.method} {request.path})", code=None)
        expected = f"Bearer {self.api_key}"
        if self.api_key is not None and request.headers.get("authorization") != expected:
            shown = request.headers.get("authorization", "").removeprefix("Bearer ")
            return replies.invalid_api_key(shown if self.echo_key_in_errors else shown[:6] + "***")
        if request.body is None:
            return replies.error(400, "We could not parse the JSON body of your request.")
        problems = schema_problems(request.body)
        if problems:
            with self._lock:
                self.schema_violations.append((request, problems))
            return replies.error(400, problems[0])
        refused = self._model_rules(request.body)
        if refused is not None:
            return refused
        with self._lock:
            scripted = self._script.popleft() if self._script else None
        reply = scripted or self.responder(request)
        if reply.usage is None:
            reply = reply.then(cached_tokens=self._cached_tokens(request.body))
        if self.echo_key_in_errors and reply.error_body is not None:
            reply = reply.then(error_body=json.loads(json.dumps(reply.error_body)))
            reply.error_body["error"]["message"] += f" (key: {self.api_key})"
        return reply

    async def _pause(self, seconds: float, request: Received, watcher: asyncio.Future[bytes]) -> bool:
        """Wait, noticing if the client hangs up meanwhile. False when it did."""
        if watcher.done():
            self._aborted(request)
            return False
        if seconds <= 0:
            return True
        done, _ = await asyncio.wait({watcher}, timeout=seconds)
        if done:
            self._aborted(request)
            return False
        return True

    def _aborted(self, request: Received) -> None:
        with self._changed:
            if request.aborted_at is None:
                request.aborted_at = time.monotonic()
            self._changed.notify_all()

    async def _answer(
        self, request: Received, reply: Reply, writer: asyncio.StreamWriter, watcher: asyncio.Future[bytes]
    ) -> bool:
        if reply.hang:
            await self._pause(3600, request, watcher)
            return False
        if not await self._pause(reply.delay, request, watcher):
            return False
        if reply.gate is not None:
            opened = asyncio.ensure_future(asyncio.to_thread(reply.gate.wait, 60))
            await asyncio.wait({watcher, opened}, return_when=asyncio.FIRST_COMPLETED)
            if watcher.done():
                self._aborted(request)
                return False
        if reply.reset:
            sock = writer.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
            return False
        headers = {
            "x-request-id": f"req_{id(request):x}{len(self.requests)}",
            "openai-processing-ms": "12",
            "x-ratelimit-limit-requests": "5000",
            "x-ratelimit-remaining-requests": "4999",
            "x-ratelimit-reset-requests": "12ms",
            "x-ratelimit-limit-tokens": "4000000",
            "x-ratelimit-remaining-tokens": "3999000",
            "x-ratelimit-reset-tokens": "15ms",
        }
        headers.update(reply.headers)
        wants_stream = bool((request.body or {}).get("stream")) and not reply.ignore_stream
        if reply.raw_body is not None or reply.error_body is not None or not wants_stream:
            if reply.raw_body is not None:
                body = reply.raw_body
                content_type = reply.content_type or "application/json"
            elif reply.error_body is not None:
                self._check_answer("ErrorResponse", reply.error_body)
                body = json.dumps(reply.error_body).encode()
                content_type = "application/json"
            else:
                answer = replies.response_object(reply, request.body)
                self._check_answer("Response", answer)
                body = json.dumps(answer).encode()
                content_type = reply.content_type or "application/json"
            return await self._send_whole(request, reply, writer, watcher, headers, body, content_type)
        return await self._send_stream(request, reply, writer, watcher, headers)

    def _head(self, status: int, headers: dict[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _send_whole(
        self,
        request: Received,
        reply: Reply,
        writer: asyncio.StreamWriter,
        watcher: asyncio.Future[bytes],
        headers: dict[str, str],
        body: bytes,
        content_type: str,
    ) -> bool:
        headers = {"content-type": content_type, "content-length": str(len(body)), **headers}
        writer.write(self._head(reply.status_code, headers))
        limit = len(body) if reply.cut_after_bytes is None else reply.cut_after_bytes
        piece = 64 if reply.drip else max(1, limit)
        for start in range(0, limit, piece):
            if not await self._pause(reply.drip, request, watcher):
                return False
            writer.write(body[start : min(start + piece, limit)])
            await writer.drain()
        if reply.cut_after_bytes is not None:
            writer.transport.abort()
            return False
        await writer.drain()
        return True

    async def _send_stream(
        self,
        request: Received,
        reply: Reply,
        writer: asyncio.StreamWriter,
        watcher: asyncio.Future[bytes],
        headers: dict[str, str],
    ) -> bool:
        headers = {
            "content-type": "text/event-stream; charset=utf-8",
            "transfer-encoding": "chunked",
            "cache-control": "no-cache",
            **headers,
        }
        writer.write(self._head(200, headers))
        events = replies.stream_events(reply, request.body)
        for number, event in enumerate(events):
            if reply.cut_after_events is not None and number >= reply.cut_after_events:
                # Half an event, then the connection drops: what a dying proxy sends.
                writer.write(self._chunk(b'event: response.output_text.delta\ndata: {"type":"resp'))
                await writer.drain()
                writer.transport.abort()
                return False
            if number and not await self._pause(reply.drip, request, watcher):
                return False
            self._check_answer("ResponseStreamEvent", event)
            data = json.dumps(event)
            writer.write(self._chunk(f"event: {event['type']}\ndata: {data}\n\n".encode()))
            try:
                await writer.drain()
            except ConnectionError:
                self._aborted(request)
                return False
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        return True

    @staticmethod
    def _chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _shared_prefix(a: str, b: str) -> int:
    """How many leading characters two prompts share."""
    return len(os.path.commonprefix([a, b]))  # noqa: RUF071 (characters are what is compared here)


def _served(rules: ModelRules) -> bool:
    return rules.usable and not rules.retired


def _model_object(name: str, rules: ModelRules) -> dict[str, Any]:
    return {
        "id": name,
        "object": "model",
        "created": 1754524800,
        "owned_by": "system",
        "shutdown_date": rules.shutdown_date,
    }
