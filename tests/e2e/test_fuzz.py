"""LSP input fuzzing against the real server process: it answers everything, never dies, never drifts.

One server subprocess serves every example (hypothesis drives it from a dedicated event loop). After any
input, the server's view of each document must equal the client's: that is checked the way a user would
see it, by refactoring the whole document and reading the target text the server sent to the double.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp

from tests.double import replies
from tests.double.server import ResponsesDouble
from tests.e2e.editor import Editor, start_editor, stop_editor

UNICODE = st.sampled_from(
    [
        "a",
        "z",
        " ",
        "\t",
        "\n",
        "\r\n",
        "\r",
        "é",
        "e\u0301",
        "🌍",
        "👩‍💻",
        "世界",
        "\x00",
        "\u2028",
        "\x0c",
        "\ufeff",
        "def f():\n    ...\n",
        "(",
        "}",
        '"""',
    ]
)
TEXT = st.lists(UNICODE, max_size=30).map("".join)
ANY_INT = st.one_of(st.integers(-5, 60), st.sampled_from([2**31 - 1, 2**31, -(2**31), 10**12]))


class Session:
    def __init__(self) -> None:
        self.runner = asyncio.Runner()
        self.double = ResponsesDouble().start()
        self.editor: Editor = self.runner.run(start_editor(self.double, init_options={"maxRetries": 0}))
        self.count = 0

    def run(self, coro: Any) -> Any:
        return self.runner.run(asyncio.wait_for(coro, 30))

    def close(self) -> None:
        try:
            self.runner.run(stop_editor(self.editor))
        finally:
            self.runner.close()
            self.double.stop()


@pytest.fixture(scope="module")
def session() -> Iterator[Session]:
    s = Session()
    try:
        yield s
    finally:
        s.close()
    assert not s.double.schema_violations


async def server_text(editor: Editor, uri: str) -> str:
    """The document as the server holds it: refactor everything and read the target it sends."""
    seen = len(editor.double.requests)
    editor.double.script(replies.json_output({"code": "x", "explanation": "y"}).then(ignore_stream=False))
    everything = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=10**6, character=0))
    data = {"action": "refactor", "uri": uri, "range": _range_json(everything), "version": None}
    before = editor.buffers[uri]
    result = await editor.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="gptls.runAction", arguments=[data])
    )
    if len(editor.double.requests) == seen:  # nothing to refactor (blank document): the server said so
        assert result.get("applied") is False
        return before if not before.strip() else "<not sent>"
    body = editor.double.requests[seen].body
    match = re.search(r"<<<target\n(.*)\n>>>target", body["input"], re.DOTALL)
    assert match, body["input"]
    # the refactor was applied by the editor; put the user's text back for the next example
    if editor.buffers[uri] != before:
        editor.replace_all(uri, before)
    return match.group(1)


def _range_json(rng: lsp.Range) -> dict[str, Any]:
    return {
        "start": {"line": rng.start.line, "character": rng.start.character},
        "end": {"line": rng.end.line, "character": rng.end.character},
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    TEXT,
    st.lists(
        st.tuples(st.integers(0, 12), st.integers(0, 40), st.integers(0, 12), st.integers(0, 40), TEXT), max_size=6
    ),
)
def test_random_edits_keep_the_servers_document_equal_to_the_editors(session, text, edits) -> None:
    editor = session.editor
    session.count += 1
    uri = editor.open(f"fuzz{session.count}.py", text)
    for l1, c1, l2, c2, new in edits:
        start, end = sorted(((l1, c1), (l2, c2)))
        editor.type(
            uri, lsp.Position(line=start[0], character=start[1]), lsp.Position(line=end[0], character=end[1]), new
        )
    expected = editor.buffers[uri]
    seen = session.run(server_text(editor, uri))
    if seen != "<not sent>":
        assert seen == expected.rstrip("\r\n") or seen == expected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ANY_INT, ANY_INT, ANY_INT, ANY_INT, st.sampled_from(["codeAction", "hover", "resolve", "command"]))
def test_any_position_gets_an_answer_and_the_server_lives(session, l1, c1, l2, c2, kind) -> None:
    editor = session.editor
    uri = editor.open(f"pos{session.count}.py", "def f(x):\n    ...\n\n# 🌍 comment\n")
    session.count += 1
    session.double.responder = lambda r: replies.json_output(
        {"code": "def f(x):\n    return x\n", "time": "O(1)", "space": "O(1)", "explanation": "x"}
    )
    rng = {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}}
    method, params = {
        "codeAction": (
            "textDocument/codeAction",
            {"textDocument": {"uri": uri}, "range": rng, "context": {"diagnostics": []}},
        ),
        "hover": ("textDocument/hover", {"textDocument": {"uri": uri}, "position": rng["start"]}),
        "resolve": ("codeAction/resolve", {"title": "x", "data": {"action": "generate", "uri": uri, "range": rng}}),
        "command": (
            "workspace/executeCommand",
            {"command": "gptls.runAction", "arguments": [{"action": "explain", "uri": uri, "range": rng}]},
        ),
    }[kind]
    session.run(answered(editor, method, params))
    assert session.run(alive(editor, uri))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(
        [
            "textDocument/hover",
            "textDocument/codeAction",
            "codeAction/resolve",
            "workspace/executeCommand",
            "gptls/unknown",
            "textDocument/definition",
            "$/fancy",
        ]
    ),
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(
                st.sampled_from(["textDocument", "uri", "range", "position", "data", "command", "arguments", "x"]),
                inner,
                max_size=4,
            ),
        ),
        max_leaves=8,
    ),
)
def test_malformed_params_and_unknown_methods_get_an_error_not_a_crash(session, method, params) -> None:
    editor = session.editor
    session.run(answered(editor, method, params))
    uri = editor.open(f"mal{session.count}.py", "x = 1\n")
    session.count += 1
    assert session.run(alive(editor, uri))


async def answered(editor: Editor, method: str, params: Any) -> None:
    """Send a raw JSON-RPC request (past the client's type checks); a result or an error is an answer."""
    protocol = editor.client.protocol
    msg_id = f"raw-{uuid.uuid4()}"
    future: Future[Any] = Future()
    protocol._request_futures[msg_id] = future
    protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    try:
        await asyncio.wrap_future(future)
    except Exception as error:  # a JSON-RPC error reply, raised by the client
        assert "Server process" not in str(error), error


async def alive(editor: Editor, uri: str) -> bool:
    """The server still answers an ordinary request (a code action list, or none)."""
    await editor.actions(uri, lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)))
    return True


def test_huge_selection_and_huge_document(session) -> None:
    editor = session.editor
    huge = "x = 1  # " + "y" * 2_000_000 + "\n"
    uri = editor.open("huge.py", huge)
    rng = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=1, character=0))
    data = {"action": "refactor", "uri": uri, "range": _range_json(rng), "version": 1}
    seen = len(session.double.requests)
    result = session.run(
        editor.client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command="gptls.runAction", arguments=[data])
        )
    )
    assert result["applied"] is False and "too large" in result["error"]
    assert len(session.double.requests) == seen and editor.buffers[uri] == huge
