"""gptls as an editor sees it: the server as a subprocess over stdio, the model as the Responses double."""

from __future__ import annotations

import asyncio
import copy
import json
import threading

import pytest
from lsprotocol import types as lsp
from pytest_lsp import client_capabilities

from tests.double import replies

STUB = '''import math


def area(radius: float) -> float:
    """Area of a circle."""
    ...


def untouched() -> int:
    return 1
'''
AREA = 'def area(radius: float) -> float:\n    """Area of a circle."""\n    return math.pi * radius ** 2\n'
IMPLEMENTED = STUB.replace("    ...\n", "    return math.pi * radius ** 2\n")

LOOP = """def total(items):
    result = 0
    for item in items:
        result = result + item
    return result
"""
COMPLEXITY = {"time": "O(n) in the number of items", "space": "O(1)", "explanation": "One pass, one counter."}


def resolve_client() -> dict[str, str]:
    return {"client": "vscode"}


def command_client_capabilities() -> lsp.ClientCapabilities:
    """A client with no codeAction/resolve, no documentChanges and no progress (an older editor)."""
    return lsp.ClientCapabilities(
        text_document=lsp.TextDocumentClientCapabilities(code_action=lsp.CodeActionClientCapabilities()),
        workspace=lsp.WorkspaceClientCapabilities(apply_edit=True),
    )


PATHS = ["resolve", "command"]


async def editor_for(make_editor, path: str):
    if path == "resolve":
        return await make_editor()
    return await make_editor(capabilities=command_client_capabilities())


# -- listing ---------------------------------------------------------------------------------------------


async def test_listing_actions_never_calls_the_model(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    offered = await editor.actions(uri, editor.cursor(uri, "area"))
    titles = {a.title for a in offered}
    assert "gptls: Generate function" in titles
    assert "gptls: Explain complexity" in titles
    assert all(a.edit is None for a in offered), "edits are computed only when picked"
    assert editor.double.requests == []


async def test_generate_is_not_offered_on_a_function_that_is_already_written(editor) -> None:
    uri = editor.open("loop.py", LOOP)
    offered = {a.data["action"] for a in await editor.actions(uri, editor.cursor(uri, "result = 0"))}
    assert "generate" not in offered and {"explain", "refactor", "docstring"} <= offered


async def test_resolve_capable_client_gets_edit_actions_without_commands(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    generate = await editor.action(uri, editor.cursor(uri, "area"), "generate")
    explain = await editor.action(uri, editor.cursor(uri, "area"), "explain")
    assert generate.command is None and explain.command is not None


async def test_only_filter_is_respected(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    result = await editor.client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=editor.cursor(uri, "area"),
            context=lsp.CodeActionContext(diagnostics=[], only=[lsp.CodeActionKind.QuickFix]),
        )
    )
    assert not result


# -- each action, through resolve and through command ----------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
async def test_generate_function_replaces_the_stub(make_editor, path) -> None:
    editor = await editor_for(make_editor, path)
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": AREA}))
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    assert editor.buffers[uri] == IMPLEMENTED
    body = editor.double.requests[0].body
    assert body["text"]["format"]["type"] == "json_schema" and body["store"] is False
    assert "Language: python" in body["input"] and "import math" in body["input"]


@pytest.mark.parametrize("path", PATHS)
async def test_generate_from_a_comment_inserts_the_function_under_it(make_editor, path) -> None:
    editor = await editor_for(make_editor, path)
    text = (
        "import os\n\n# return the size of the file at path, or -1 if it does not exist\n\n\ndef other():\n    pass\n"
    )
    uri = editor.open("files.py", text)
    code = "def size(path):\n    try:\n        return os.path.getsize(path)\n    except OSError:\n        return -1"
    editor.double.script(replies.json_output({"code": code}))
    await editor.run(uri, editor.cursor(uri, "return the size"), "generate")
    assert editor.buffers[uri] == text.replace("not exist\n", "not exist\n" + code + "\n")


@pytest.mark.parametrize("path", PATHS)
async def test_refactor_replaces_the_selection_and_keeps_indentation(make_editor, path) -> None:
    editor = await editor_for(make_editor, path)
    uri = editor.open("loop.py", LOOP)
    selection = "    result = 0\n    for item in items:\n        result = result + item\n    return result"
    rng = editor.range_of(uri, selection)
    editor.double.script(replies.json_output({"code": "return sum(items)", "explanation": "Use sum()."}))
    await editor.run(uri, rng, "refactor")
    assert editor.buffers[uri] == "def total(items):\n    return sum(items)\n"
    assert "gptls: Suggest refactor: Use sum()." in editor.messages(), "the explanation is shown"


@pytest.mark.parametrize("path", PATHS)
async def test_docstring_action_documents_the_function(make_editor, path) -> None:
    editor = await editor_for(make_editor, path)
    uri = editor.open("loop.py", LOOP)
    documented = LOOP.replace("def total(items):\n", 'def total(items):\n    """Sum of items."""\n')
    editor.double.script(replies.json_output({"docstring": "Sum of items."}))
    await editor.run(uri, editor.cursor(uri, "result = 0"), "docstring")
    assert editor.buffers[uri] == documented


@pytest.mark.parametrize("path", PATHS)
async def test_explain_complexity_shows_the_result_and_makes_it_a_hover(make_editor, path) -> None:
    editor = await editor_for(make_editor, path)
    uri = editor.open("loop.py", LOOP)
    editor.double.script(replies.json_output(COMPLEXITY))
    result = await editor.run(uri, editor.cursor(uri, "for item"), "explain")
    assert "O(n) in the number of items" in result["text"]
    assert any("time O(n) in the number of items, space O(1)" in m for m in editor.messages())
    assert editor.buffers[uri] == LOOP, "explaining never edits"
    hover = await editor.hover(uri, editor.pos(uri, "total"))
    assert hover is not None and "O(n) in the number of items" in hover.contents.value
    assert len(editor.double.requests) == 1, "the hover was served from the cache"


@pytest.mark.parametrize("path", PATHS)
async def test_complexity_comment_is_inserted_above_the_function(make_editor, path) -> None:
    editor = await editor_for(make_editor, path)
    uri = editor.open("loop.py", "class Bag:\n" + "".join("    " + line + "\n" for line in LOOP.splitlines()))
    editor.double.script(replies.json_output(COMPLEXITY))
    await editor.run(uri, editor.cursor(uri, "result = 0"), "explain-comment")
    lines = editor.buffers[uri].split("\n")
    assert lines[1] == "    # Complexity: time O(n) in the number of items, space O(1). One pass, one counter."
    assert lines[2] == "    def total(items):"


# -- hover ---------------------------------------------------------------------------------------------


async def test_hover_on_a_function_name_asks_the_model_on_demand(editor) -> None:
    uri = editor.open("loop.py", LOOP)
    editor.double.script(replies.json_output(COMPLEXITY))
    hover = await editor.hover(uri, editor.pos(uri, "otal"))
    assert hover is not None and hover.contents.kind == lsp.MarkupKind.Markdown
    assert "**Complexity of `total`**" in hover.contents.value
    assert hover.range == editor.range_of(uri, "total")
    assert await editor.hover(uri, editor.pos(uri, "items")) is None, "only the name hovers"
    again = await editor.hover(uri, editor.pos(uri, "total"))
    assert again == hover and len(editor.double.requests) == 1


async def test_hover_cached_mode_only_shows_what_was_computed(make_editor) -> None:
    editor = await make_editor(init_options={"hover": "cached"})
    uri = editor.open("loop.py", LOOP)
    assert await editor.hover(uri, editor.pos(uri, "total")) is None
    assert editor.double.requests == []
    editor.double.script(replies.json_output(COMPLEXITY))
    await editor.run(uri, editor.cursor(uri, "total"), "explain")
    hover = await editor.hover(uri, editor.pos(uri, "total"))
    assert hover is not None and "O(1)" in hover.contents.value


async def test_hover_off_never_calls_the_model(make_editor) -> None:
    editor = await make_editor(init_options={"hover": "off"})
    uri = editor.open("loop.py", LOOP)
    assert await editor.hover(uri, editor.pos(uri, "total")) is None
    assert editor.double.requests == []


# -- progress and cancellation ----------------------------------------------------------------------------


async def test_progress_is_cancellable_and_reports_streamed_text(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": AREA}).then(text_chunks=[AREA[:10], AREA[10:]], drip=0.3))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    ((_token, reports),) = editor.client.progress_reports.items()
    begin, *middle, end = reports
    assert isinstance(begin, lsp.WorkDoneProgressBegin) and begin.cancellable is True
    assert begin.title == "Generate function"
    assert any(isinstance(r, lsp.WorkDoneProgressReport) and "receiving" in (r.message or "") for r in middle)
    assert isinstance(end, lsp.WorkDoneProgressEnd) and end.message == "done"


async def send_and_cancel(editor, method: str, params, *, via: str) -> None:
    msg_id = f"cancel-me-{via}"
    future = asyncio.ensure_future(editor.client.protocol.send_request_async(method, params, msg_id=msg_id))
    await asyncio.to_thread(editor.double.wait_for_requests, 1)
    if via == "request":
        editor.client.protocol.notify(lsp.CANCEL_REQUEST, lsp.CancelParams(id=msg_id))
    else:
        # Cancel is offered once the progress has begun (the Cancel button appears then).
        await editor.until(lambda: any(editor.client.progress_reports.values()), lsp.PROGRESS)
        (token,) = editor.client.progress_reports
        editor.client.window_work_done_progress_cancel(lsp.WorkDoneProgressCancelParams(token=token))
    with pytest.raises(Exception, match="cancel"):
        await future
    aborted = await asyncio.to_thread(editor.double.wait_for_abort)
    assert aborted.aborted_at is not None


@pytest.mark.parametrize("via", ["request", "progress"])
async def test_cancel_during_a_command_closes_the_model_connection(make_editor, via) -> None:
    editor = await make_editor(capabilities=command_client_capabilities() if via == "request" else None)
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.hang())
    chosen = await editor.action(uri, editor.cursor(uri, "area"), "explain")
    await send_and_cancel(
        editor,
        lsp.WORKSPACE_EXECUTE_COMMAND,
        lsp.ExecuteCommandParams(command=chosen.command.command, arguments=chosen.command.arguments),
        via=via,
    )
    assert editor.buffers[uri] == STUB


async def test_cancel_during_resolve_closes_the_model_connection(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.hang())
    chosen = await editor.action(uri, editor.cursor(uri, "area"), "generate")
    await send_and_cancel(editor, lsp.CODE_ACTION_RESOLVE, chosen, via="request")


async def test_cancel_during_hover_closes_the_model_connection(editor) -> None:
    uri = editor.open("loop.py", LOOP)
    editor.double.script(replies.hang())
    params = lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=editor.pos(uri, "total"))
    await send_and_cancel(editor, lsp.TEXT_DOCUMENT_HOVER, params, via="request")
    # The server is still healthy afterwards.
    editor.double.script(replies.json_output(COMPLEXITY))
    assert await editor.hover(uri, editor.pos(uri, "total")) is not None


# -- typing while the model works -------------------------------------------------------------------------


async def start_gated_generate(editor, uri: str) -> tuple[asyncio.Task, threading.Event]:
    gate = threading.Event()
    editor.double.script(replies.json_output({"code": AREA}).then(gate=gate))
    chosen = await editor.action(uri, editor.cursor(uri, "area"), "generate")
    if chosen.command is not None:
        task = asyncio.ensure_future(editor.execute(chosen.command))
    else:
        task = asyncio.ensure_future(editor.client.code_action_resolve_async(chosen))
    await asyncio.to_thread(editor.double.wait_for_requests, 1)
    return task, gate


@pytest.mark.parametrize("path", PATHS)
async def test_typing_above_during_a_call_moves_the_edit_with_the_code(make_editor, path) -> None:
    editor = await editor_for(make_editor, path)
    uri = editor.open("geometry.py", STUB)
    task, gate = await start_gated_generate(editor, uri)
    editor.insert(uri, lsp.Position(line=1, character=0), "import os\nimport sys\n")
    await editor.synced(uri)
    gate.set()
    result = await task
    if isinstance(result, lsp.CodeAction):
        ok, reason = editor.apply(result.edit)
        assert ok, reason
    assert editor.buffers[uri] == IMPLEMENTED.replace("import math\n", "import math\nimport os\nimport sys\n")


@pytest.mark.parametrize("path", PATHS)
async def test_typing_inside_the_target_during_a_call_discards_the_result(make_editor, path) -> None:
    editor = await editor_for(make_editor, path)
    uri = editor.open("geometry.py", STUB)
    task, gate = await start_gated_generate(editor, uri)
    editor.type(uri, editor.pos(uri, "Area of"), editor.pos(uri, "Area of", after=True), "Surface of")
    expected = editor.buffers[uri]
    await editor.synced(uri)
    gate.set()
    result = await task
    if isinstance(result, lsp.CodeAction):
        assert result.edit is None
    assert editor.buffers[uri] == expected, "the user's typing is kept and nothing else changes"
    await editor.until(lambda: any("code changed while the model worked" in m for m in editor.messages()))


async def test_edit_names_the_document_version(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": AREA}))
    chosen = await editor.action(uri, editor.cursor(uri, "area"), "generate")
    resolved = await editor.client.code_action_resolve_async(chosen)
    (change,) = resolved.edit.document_changes
    assert change.text_document.version == editor.versions[uri]


# -- errors reach the user with what to do ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "advice"),
    [
        (replies.invalid_api_key(), "OPENAI_API_KEY"),
        (replies.insufficient_quota(), "billing"),
        (replies.incomplete("max_output_tokens"), "Raise gptls.maxOutputTokens or lower gptls.reasoningEffort"),
        (replies.context_too_long(), "select less code"),
        (replies.refusal(), "refused"),
        (replies.garbage(b"<html>login</html>", content_type="text/html"), "OPENAI_BASE_URL"),
    ],
)
async def test_errors_are_shown_with_what_to_do_and_the_buffer_is_untouched(make_editor, reply, advice) -> None:
    editor = await make_editor(init_options={"maxRetries": 0})
    uri = editor.open("geometry.py", STUB)
    editor.double.script(reply)
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    assert editor.buffers[uri] == STUB
    await editor.until(lambda: any(advice in m for m in editor.messages()))
    # and the server still works
    editor.double.script(replies.json_output({"code": AREA}))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    assert editor.buffers[uri] == IMPLEMENTED


async def test_rate_limit_is_retried_and_the_progress_says_so(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.rate_limited(retry_after_ms=50), replies.json_output({"code": AREA}))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    assert editor.buffers[uri] == IMPLEMENTED
    ((_token, reports),) = editor.client.progress_reports.items()
    assert any("rate limited; retrying" in (getattr(r, "message", "") or "") for r in reports)


async def test_missing_key_is_explained_and_nothing_is_sent(make_editor) -> None:
    editor = await make_editor(env={"OPENAI_API_KEY": ""})
    uri = editor.open("geometry.py", STUB)
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    await editor.until(lambda: any("OPENAI_API_KEY" in m for m in editor.messages()))
    assert editor.double.requests == [] and editor.buffers[uri] == STUB


async def test_a_fence_inside_the_json_never_reaches_the_buffer(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": "```python\n" + AREA + "```"}))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    assert editor.buffers[uri] == IMPLEMENTED


async def test_backend_without_structured_outputs_still_gives_clean_code(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.text("Here you go:\n\n```python\n" + AREA + "```\nHope it helps!"))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    assert editor.buffers[uri] == IMPLEMENTED


async def test_code_that_does_not_parse_is_not_applied(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": "def area(radius:\n    return ("}))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    assert editor.buffers[uri] == STUB
    await editor.until(lambda: any("does not parse as Python" in m for m in editor.messages()))


@pytest.mark.parametrize(
    ("action", "answer"),
    [
        ("refactor", {"code": "def total(items):\n    return sum(items +\n", "explanation": "shorter"}),
        ("refactor", {"code": "    result = (\n", "explanation": "partial"}),
    ],
)
async def test_a_refactor_that_breaks_the_file_is_not_applied(editor, action, answer) -> None:
    uri = editor.open("loop.py", LOOP)
    editor.double.script(replies.json_output(answer))
    await editor.run(uri, editor.cursor(uri, "result = 0"), action)
    await editor.until(lambda: any("does not parse as Python" in m for m in editor.messages()))
    assert editor.buffers[uri] == LOOP


# -- positions, line endings, size ------------------------------------------------------------------------


@pytest.mark.parametrize("client", ["vscode", "neovim"])
async def test_positions_after_emoji_and_cjk_land_exactly(make_editor, client) -> None:
    editor = await make_editor(client=client)
    text = 'def greet():\n    label = "héllo 🌍 世界"; count = 1 + 1\n    return label, count\n'
    uri = editor.open("greet.py", text)
    editor.double.script(replies.json_output({"code": "count = 2", "explanation": "Constant folded."}))
    await editor.run(uri, editor.range_of(uri, "count = 1 + 1"), "refactor")
    assert editor.buffers[uri] == text.replace("count = 1 + 1", "count = 2")


async def test_neovim_negotiates_utf8_positions(make_editor) -> None:
    editor = await make_editor(client="neovim")
    assert editor.encoding == "utf-8"


async def test_crlf_files_keep_crlf(editor) -> None:
    text = STUB.replace("\n", "\r\n")
    uri = editor.open("geometry.py", text)
    editor.double.script(replies.json_output({"code": AREA}))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    assert editor.buffers[uri] == IMPLEMENTED.replace("\n", "\r\n")


async def test_a_ten_thousand_line_file(editor) -> None:
    filler = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(2500))
    text = "import math\n\n\n" + filler + STUB.split("\n", 3)[3]
    assert text.count("\n") >= 10_000
    uri = editor.open("big.py", text)
    editor.double.script(replies.json_output({"code": AREA}))
    await editor.run(uri, editor.cursor(uri, "def area"), "generate")
    assert editor.buffers[uri] == text.replace("    ...\n", "    return math.pi * radius ** 2\n")
    sent = editor.double.requests[0].body["input"]
    assert len(sent) < 9000, "a budgeted context, never the whole file"


# -- what is never sent ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [".env", "server.pem", "id.key", "secrets/config.py"])
async def test_excluded_files_get_no_actions_and_no_hover(editor, name) -> None:
    uri = editor.open(name, LOOP)
    assert await editor.actions(uri, editor.cursor(uri, "total")) == []
    assert await editor.hover(uri, editor.pos(uri, "total")) is None
    assert editor.double.requests == []


async def test_huge_selection_is_refused_with_a_clear_message(make_editor) -> None:
    editor = await make_editor(init_options={"maxSelectionChars": 1000})
    text = "def big():\n" + "".join(f"    x{i} = {i}\n" for i in range(300))
    uri = editor.open("big.py", text)
    rng = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=300, character=0))
    await editor.run(uri, rng, "refactor")
    await editor.until(lambda: any("selection is too large" in m for m in editor.messages()))
    assert editor.double.requests == [] and editor.buffers[uri] == text


# -- configuration ------------------------------------------------------------------------------------------


async def test_initialization_options_shape_the_request(make_editor) -> None:
    editor = await make_editor(
        init_options={
            "model": "gpt-5",
            "reasoningEffort": "medium",
            "verbosity": "high",
            "maxOutputTokens": 2000,
            "serviceTier": "flex",
        },
        env={"GPTLS_STORE": "true"},  # protected: the user's environment sets it, not the editor
    )
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": AREA}))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    body = editor.double.requests[0].body
    assert (body["model"], body["reasoning"]["effort"], body["text"]["verbosity"]) == ("gpt-5", "medium", "high")
    assert (body["max_output_tokens"], body["service_tier"], body["store"]) == (2000, "flex", True)


async def test_configuration_is_pulled_and_changes_apply_without_restart(make_editor) -> None:
    editor = await make_editor(configuration={"reasoningEffort": "high"})
    uri = editor.open("geometry.py", STUB)
    await editor.synced(uri)
    editor.double.script(replies.json_output({"code": AREA}), replies.json_output(COMPLEXITY))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    editor.client.set_configuration({"reasoningEffort": "minimal", "model": "gpt-5-nano"}, section="gptls")
    editor.client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    await editor.synced(uri)
    await editor.run(uri, editor.cursor(uri, "area"), "explain")
    first, second = editor.double.bodies
    assert first["reasoning"]["effort"] == "high"
    assert (second["reasoning"]["effort"], second["model"]) == ("minimal", "gpt-5-nano")


async def test_invalid_setting_keeps_the_previous_value_and_says_why(make_editor) -> None:
    editor = await make_editor(init_options={"reasoningEffort": "extreme", "colour": "blue"})
    await editor.until(lambda: any("reasoningEffort" in m and "keeping 'low'" in m for m in editor.messages()))
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": AREA}))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    assert editor.double.requests[0].body["reasoning"]["effort"] == "low"
    assert any("unknown gptls setting 'colour'" in m.message for m in editor.client.log_messages)


async def test_usage_command_reports_tokens_and_cost(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": AREA}))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    report = await editor.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="gptls.usage", arguments=[])
    )
    usage = report["models"]["gpt-5-mini"]
    assert usage["calls"] == 1 and usage["outputTokens"] > 0 and usage["costUsd"] > 0
    assert report["kinds"]["actions"]["calls"] == 1 and report["todayUsd"] == usage["costUsd"]
    assert any("gptls usage this session: actions 1" in m for m in editor.messages())


async def test_check_command_reports_latency_and_request_id(editor) -> None:
    result = await editor.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="gptls.check", arguments=[])
    )
    assert result["ok"] is True and result["requestId"].startswith("req_")
    assert json.loads(json.dumps(result))  # plain JSON for any client


async def test_status_notifications_count_calls_in_flight_and_report_errors(editor) -> None:
    statuses = editor.statuses  # every gptls/status the server sent
    uri = editor.open("geometry.py", STUB)
    gate = threading.Event()
    editor.double.script(replies.json_output({"code": AREA}).then(gate=gate), replies.insufficient_quota())
    running = asyncio.ensure_future(editor.run(uri, editor.cursor(uri, "area"), "generate"))
    await editor.until(lambda: any(s.inFlight == 1 for s in statuses), "gptls/status")
    # A call showing progress is listed with its title, so a status bar can offer Cancel.
    await editor.until(lambda: any(getattr(s, "progress", None) for s in statuses), "gptls/status")
    listed = next(s.progress for s in statuses if getattr(s, "progress", None))
    assert listed[0].title == "Generate function"
    gate.set()
    await running
    await editor.until(lambda: statuses[-1].inFlight == 0, "gptls/status")
    await editor.run(uri, editor.cursor(uri, "untouched"), "explain")
    await editor.until(lambda: any(s.lastError and "quota" in s.lastError for s in statuses), "gptls/status")
    assert next(s.errorKind for s in statuses if s.lastError) == "quota-exceeded"
    editor.double.script(replies.json_output(COMPLEXITY))
    await editor.run(uri, editor.cursor(uri, "untouched"), "explain")
    await editor.until(lambda: statuses[-1].lastError is None, "gptls/status")


async def test_a_hover_reports_progress_only_on_the_token_the_client_sent(editor) -> None:
    uri = editor.open("loop.py", LOOP)
    editor.double.script(replies.json_output(COMPLEXITY), replies.json_output(COMPLEXITY))
    # No token: the editor shows its own loading state, so gptls creates no progress (no round trip, no noise).
    assert await editor.hover(uri, editor.pos(uri, "total")) is not None
    assert editor.client.progress_reports == {}
    editor.double.clear_script()
    other = editor.open("other.py", LOOP.replace("total", "summed"))
    editor.double.script(replies.json_output(COMPLEXITY))
    hover = await editor.client.text_document_hover_async(
        lsp.HoverParams(
            text_document=lsp.TextDocumentIdentifier(uri=other),
            position=editor.pos(other, "summed"),
            work_done_token="client-token-1",
        )
    )
    assert hover is not None
    await editor.until(lambda: "client-token-1" in editor.client.progress_reports, lsp.PROGRESS)
    kinds = [type(r).__name__ for r in editor.client.progress_reports["client-token-1"]]
    assert kinds[0] == "WorkDoneProgressBegin"


# -- edits that change only what they should ---------------------------------------------------------------

DECORATED = '''import functools


@functools.cache
def area(radius: float) -> float:  # keep this comment
    """Area of a circle.

    Radius in metres.
    """
    ...


def untouched() -> int:
    return 1
'''


async def test_generate_keeps_signature_decorators_and_docstring_whatever_the_model_returns(editor) -> None:
    uri = editor.open("geometry.py", DECORATED)
    # An "improving" model: new signature, new docstring, a decorator of its own, all in a fenced block.
    overstep = (
        '```python\n@lru_cache\ndef area(r: int = 0) -> int:\n    """Better docs."""\n    return 3.14159 * r * r\n```'
    )
    editor.double.script(replies.json_output({"code": overstep}))
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    assert editor.buffers[uri] == DECORATED.replace("    ...\n", "    return 3.14159 * r * r\n")
    body = editor.double.requests[0].body
    assert "Return ONLY the statements of its new body" in body["input"]


async def test_generate_fills_a_brace_language_body_only(editor) -> None:
    js = "/** Twice x. */\nexport function double(x) {\n  throw new Error('not implemented');\n}\n"
    uri = editor.open("util.js", js, language="javascript")
    editor.double.script(replies.json_output({"code": "function double(y, z) {\n  return y * 2;\n}"}))
    await editor.run(uri, editor.cursor(uri, "throw"), "generate")
    assert editor.buffers[uri] == js.replace("  throw new Error('not implemented');\n", "  return y * 2;\n")


async def test_add_docstring_never_touches_the_code_even_when_the_model_rewrites_it(editor) -> None:
    uri = editor.open("loop.py", LOOP)
    hostile = 'Sum."""\nimport os\nos.system("rm -rf ~")\n"""'  # tries to close the string and add code
    editor.double.script(replies.json_output({"docstring": hostile}))
    await editor.run(uri, editor.cursor(uri, "result = 0"), "docstring")
    text = editor.buffers[uri]
    assert text.endswith(LOOP.split("\n", 1)[1]), "the body is byte for byte what it was"
    import ast

    tree = ast.parse(text)
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef) and "os.system" in ast.get_docstring(function)
    assert len(function.body) == 1 + len(ast.parse(LOOP).body[0].body), "no statement was added"


async def test_add_docstring_replaces_an_existing_docstring_only(editor) -> None:
    uri = editor.open("geometry.py", IMPLEMENTED)
    editor.double.script(replies.json_output({"docstring": "Area of a circle of the given radius."}))
    await editor.run(uri, editor.cursor(uri, "return math.pi"), "docstring")
    assert editor.buffers[uri] == IMPLEMENTED.replace(
        '"""Area of a circle."""', '"""Area of a circle of the given radius."""'
    )


@pytest.mark.parametrize(
    ("language", "source", "expected"),
    [
        ("rust", "fn double(x: i32) -> i32 {\n    x * 2\n}\n", "/// Twice x.\nfn double"),
        ("go", "func Double(x int) int {\n\treturn x * 2\n}\n", "// Twice x.\nfunc Double"),
        ("typescript", "function double(x: number): number {\n  return x * 2;\n}\n", "/**\n * Twice x.\n */\nfunction"),
    ],
)
async def test_add_docstring_writes_the_languages_doc_comment_above(editor, language, source, expected) -> None:
    uri = editor.open(f"f.{language}", source, language=language)
    editor.double.script(replies.json_output({"docstring": "Twice x."}))
    await editor.run(uri, editor.cursor(uri, "x * 2"), "docstring")
    assert editor.buffers[uri] == expected + source.split(expected.rsplit("\n", 1)[-1], 1)[1]


# -- editor conventions (LSP 3.18 tags, change annotations) --------------------------------------------------


def capabilities_3_18() -> lsp.ClientCapabilities:
    caps = copy.deepcopy(client_capabilities("visual-studio-code"))  # the library's object is shared
    action = caps.text_document.code_action
    action.tag_support = lsp.CodeActionTagOptions(value_set=[lsp.CodeActionTag.LlmGenerated])
    action.honors_change_annotations = True
    return caps


def gptls_vscode_capabilities() -> lsp.ClientCapabilities:
    """What gptls' VS Code extension declares: VS Code's, and that it reviews edits (experimental.gptls)."""
    caps = capabilities_3_18()
    caps.experimental = {"gptls": {"reviewEdits": True}}
    return caps


async def test_actions_are_tagged_llm_generated_when_the_client_knows_the_tag(make_editor) -> None:
    tagged = await make_editor(capabilities=capabilities_3_18())
    uri = tagged.open("loop.py", LOOP)
    assert all(
        list(a.tags or ()) == [lsp.CodeActionTag.LlmGenerated]
        for a in await tagged.actions(uri, tagged.cursor(uri, "result"))
    )
    plain = await make_editor()
    uri = plain.open("loop.py", LOOP)
    assert all(a.tags is None for a in await plain.actions(uri, plain.cursor(uri, "result")))


@pytest.mark.parametrize(("preview", "annotated"), [(True, True), (False, False)])
async def test_a_refactor_asks_for_review_when_the_client_honours_annotations(make_editor, preview, annotated) -> None:
    # previewEdits is the user's alone (a project cannot turn review off): set where the user sets it.
    editor = await make_editor(capabilities=capabilities_3_18(), env={"GPTLS_PREVIEW_EDITS": str(preview).lower()})
    uri = editor.open("loop.py", LOOP)
    editor.double.script(
        replies.json_output({"code": "def total(items):\n    return sum(items)\n", "explanation": "x"})
    )
    action = await editor.action(uri, editor.cursor(uri, "result = 0"), "refactor")
    resolved = await editor.client.code_action_resolve_async(action)
    assert resolved.edit is not None
    (change,) = resolved.edit.document_changes
    if annotated:
        assert isinstance(change.edits[0], lsp.AnnotatedTextEdit)
        note = resolved.edit.change_annotations[change.edits[0].annotation_id]
        assert note.needs_confirmation is True and note.label == "gptls: Suggest refactor"
    else:
        assert not isinstance(change.edits[0], lsp.AnnotatedTextEdit) and not resolved.edit.change_annotations


async def test_gptls_vscode_extension_gets_a_refactor_to_review_with_the_models_note(make_editor) -> None:
    # The extension declares experimental.gptls.reviewEdits: the edit comes as workspace/applyEdit (where it
    # shows a diff with Apply/Discard), annotated, described by the model's note, which is not also a message.
    editor = await make_editor(capabilities=gptls_vscode_capabilities())
    uri = editor.open("loop.py", LOOP)
    note = "Replaced the loop with sum()."
    editor.double.script(
        replies.json_output({"code": "def total(items):\n    return sum(items)\n", "explanation": note})
    )
    action = await editor.action(uri, editor.cursor(uri, "result = 0"), "refactor")
    assert action.command is not None, "run as a command, so the edit comes as workspace/applyEdit"
    resolved = await editor.client.code_action_resolve_async(action)  # VS Code resolves it all the same
    assert resolved.edit is None and not editor.double.requests, "resolving asks nothing: the command does"
    await editor.execute(action.command)
    (params,) = editor.applied
    (change,) = params.edit.document_changes
    annotation = params.edit.change_annotations[change.edits[0].annotation_id]
    assert annotation.needs_confirmation is True and annotation.label == "gptls: Suggest refactor"
    assert annotation.description.endswith(note)
    assert not [m for m in editor.messages() if note in m], "the review shows the note; no second message"
    assert "return sum(items)" in editor.buffers[uri]

    # Discard in the review: the user's choice, so no warning; the buffer is unchanged.
    before = editor.buffers[uri]
    editor.answer_apply = lambda _params: lsp.ApplyWorkspaceEditResult(
        applied=False, failure_reason="you discarded it in the review"
    )
    editor.double.script(
        replies.json_output({"code": "def total(items):\n    return sum(list(items))\n", "explanation": note})
    )
    action = await editor.action(uri, editor.cursor(uri, "return sum"), "refactor")
    result = await editor.execute(action.command)
    assert result["applied"] is False and editor.buffers[uri] == before
    assert not [m for m in editor.messages() if "did not apply" in m]
    # A refusal for another reason (the document moved on) is still said.
    editor.answer_apply = lambda _params: lsp.ApplyWorkspaceEditResult(applied=False)
    editor.double.script(
        replies.json_output({"code": "def total(items):\n    return sum(list(items))\n", "explanation": note})
    )
    await editor.execute(action.command)
    assert [m for m in editor.messages() if "did not apply the edit (no reason given)" in m]


async def test_a_bad_or_unknown_setting_is_shown_once_and_again_after_a_change(make_editor) -> None:
    options = {"reasoningEfort": "low", "verbosity": "loud"}
    editor = await make_editor(init_options=options, configuration=options)
    uri = editor.open("a.py", "def f():\n    ...\n")
    await editor.synced(uri)
    assert (
        editor.messages().count("unknown gptls setting 'reasoningEfort' is ignored: did you mean 'reasoningEffort'?")
        == 1
    )
    bad = [m for m in editor.messages() if "'verbosity'" in m]
    assert len(bad) == 1 and "got 'loud'" in bad[0]
    editor.client.set_configuration({"verbosity": "louder"}, section="gptls")
    editor.client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    await editor.until(lambda: any("got 'louder'" in m for m in editor.messages()))
    assert len([m for m in editor.messages() if "'verbosity'" in m]) == 2


async def test_without_a_key_the_status_says_so_at_start_and_the_action_says_what_to_do(make_editor) -> None:
    editor = await make_editor(env={"OPENAI_API_KEY": ""})
    await editor.until(lambda: any(getattr(s, "lastError", None) for s in editor.statuses), "gptls/status")
    said = next(s for s in editor.statuses if getattr(s, "lastError", None))
    error = said.lastError
    assert (
        error.startswith("No OpenAI API key") and "Set API Key" in error and "apiKey in the gptls settings" not in error
    )
    assert said.errorKind == "no-api-key"  # what a client offers "Set API Key" for, without reading the words
    uri = editor.open("geometry.py", STUB)
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    assert any("No OpenAI API key" in m for m in editor.messages()) and editor.double.requests == []


async def test_an_answer_nested_past_the_parser_s_stack_is_refused_with_a_message(editor) -> None:
    # A hostile answer: ast.parse raises MemoryError (not SyntaxError) on 200,000 nested unary minuses.
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": "return " + "-" * 200_000 + "radius"}))
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    await editor.until(lambda: any("nested too deeply to read" in m for m in editor.messages()))
    assert editor.buffers[uri] == STUB
