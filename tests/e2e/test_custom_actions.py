"""Past the fixed menu, over stdio: fixes for other servers' diagnostics, and actions defined in settings."""

from __future__ import annotations

from lsprotocol import types as lsp

from tests.double import replies
from tests.e2e.test_actions import LOOP

BROKEN = "import os\n\n\ndef size(path):\n    return os.path.getsize(pth)\n\n\nTOP = undefined_name + 1\n"


def diagnostic(text: str, needle: str, message: str, code: str = "F821", source: str = "pyflakes") -> lsp.Diagnostic:
    line = next(i for i, row in enumerate(text.split("\n")) if needle in row)
    start = text.split("\n")[line].index(needle)
    return lsp.Diagnostic(
        range=lsp.Range(
            start=lsp.Position(line=line, character=start), end=lsp.Position(line=line, character=start + len(needle))
        ),
        message=message,
        code=code,
        source=source,
        severity=lsp.DiagnosticSeverity.Error,
    )


async def actions_with(editor, uri: str, rng: lsp.Range, diagnostics: list[lsp.Diagnostic], only=None):
    result = await editor.client.text_document_code_action_async(
        lsp.CodeActionParams(
            text_document=lsp.TextDocumentIdentifier(uri=uri),
            range=rng,
            context=lsp.CodeActionContext(diagnostics=diagnostics, only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, lsp.CodeAction)]


async def test_a_diagnostic_gets_a_quickfix_that_replaces_the_enclosing_function(editor) -> None:
    uri = editor.open("files.py", BROKEN)
    problem = diagnostic(BROKEN, "pth", "undefined name 'pth'")
    offered = await actions_with(editor, uri, problem.range, [problem], only=[lsp.CodeActionKind.QuickFix])
    (fix,) = offered
    assert fix.title == "gptls: Fix: undefined name 'pth'" and fix.kind == lsp.CodeActionKind.QuickFix
    assert [d.message for d in fix.diagnostics] == ["undefined name 'pth'"]
    editor.double.script(
        replies.json_output({"code": "def size(path):\n    return os.path.getsize(path)\n", "explanation": "typo"})
    )
    resolved = await editor.client.code_action_resolve_async(fix)
    ok, reason = editor.apply(resolved.edit)
    assert ok, reason
    assert editor.buffers[uri] == BROKEN.replace("(pth)", "(path)")
    prompt = editor.double.requests[0].body["input"]
    assert (
        "pyflakes F821" in prompt
        and "undefined name 'pth'" in prompt
        and "5:     return os.path.getsize(pth)" in prompt
    )


async def test_outside_functions_the_fix_replaces_the_statement_only(editor) -> None:
    uri = editor.open("files.py", BROKEN)
    problem = diagnostic(BROKEN, "undefined_name", "undefined name 'undefined_name'")
    (fix,) = await actions_with(editor, uri, problem.range, [problem], only=[lsp.CodeActionKind.QuickFix])
    editor.double.script(replies.json_output({"code": "TOP = 1\n", "explanation": "defined"}))
    await editor.client.code_action_resolve_async(fix)
    resolved = await editor.client.code_action_resolve_async(fix)
    editor.apply(resolved.edit)
    assert editor.buffers[uri] == BROKEN.replace("TOP = undefined_name + 1", "TOP = 1")


async def test_at_most_three_fixes_for_the_diagnostics_in_range(editor) -> None:
    text = "x = a\ny = b\nz = c\nw = d\n"
    uri = editor.open("many.py", text)
    problems = [diagnostic(text, name, f"undefined name '{name}'") for name in "abcd"]
    whole = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=4, character=0))
    fixes = [a for a in await actions_with(editor, uri, whole, problems) if a.kind == lsp.CodeActionKind.QuickFix]
    assert [f.title for f in fixes] == [f"gptls: Fix: undefined name '{n}'" for n in "abc"]
    assert editor.double.requests == []


CUSTOM = [
    {"title": "Add type hints", "instructions": "Add precise type hints; change nothing else.", "scope": "function"},
    {
        "title": "Security review",
        "instructions": "List security problems.",
        "result": "explain",
        "languages": ["python"],
    },
    {"title": "", "instructions": "no title"},
    {"title": "Translate comments", "instructions": "To English.", "scope": "everywhere"},
]


async def test_actions_defined_in_settings_are_offered_and_bad_ones_are_reported(make_editor) -> None:
    editor = await make_editor(init_options={"actions": CUSTOM})
    await editor.until(lambda: sum("gptls setting 'actions'[" in m for m in editor.messages()) == 2)
    assert any("'actions'[2]: title must be a non-empty string" in m for m in editor.messages())
    assert any(
        "'actions'[3]: 'Translate comments': scope must be one of function, selection, any" in m
        for m in editor.messages()
    )
    uri = editor.open("loop.py", LOOP)
    titles = {a.title for a in await editor.actions(uri, editor.cursor(uri, "result = 0"))}
    assert {"gptls (settings): Add type hints", "gptls (settings): Security review"} <= titles
    js = editor.open("loop.js", "function f(x) {\n  return x;\n}\n", language="javascript")
    titles = {a.title for a in await editor.actions(js, editor.cursor(js, "return"))}
    assert "gptls (settings): Add type hints" in titles and "gptls (settings): Security review" not in titles


async def test_a_settings_defined_edit_runs_through_the_pipeline(make_editor) -> None:
    editor = await make_editor(init_options={"actions": CUSTOM[:1]})
    uri = editor.open("loop.py", LOOP)
    typed = LOOP.replace("def total(items):", "def total(items: list[int]) -> int:")
    editor.double.script(replies.json_output({"code": typed, "explanation": "hints"}))
    await editor.run(uri, editor.cursor(uri, "result = 0"), "custom:Add type hints")
    assert editor.buffers[uri] == typed
    body = editor.double.requests[0].body
    assert "Add precise type hints; change nothing else." in body["input"]


async def test_a_settings_defined_explanation_is_a_message_and_the_functions_hover(make_editor) -> None:
    editor = await make_editor(init_options={"actions": CUSTOM[1:2]})
    uri = editor.open("loop.py", LOOP)
    editor.double.script(replies.json_output({"explanation": "No injection risk: pure arithmetic."}))
    await editor.run(uri, editor.cursor(uri, "result = 0"), "custom:Security review")
    await editor.until(lambda: any("No injection risk" in m for m in editor.messages()))
    hover = await editor.hover(uri, editor.pos(uri, "total"))
    assert hover is not None and "No injection risk" in hover.contents.value
    assert len(editor.double.requests) == 1, "the hover shows the explanation without another call"


def applied(editor, count: int):
    return lambda: (
        sum("settings applied from workspace/configuration" in m.message for m in editor.client.log_messages) >= count
    )


async def test_changed_actions_apply_without_a_restart(make_editor) -> None:
    editor = await make_editor(configuration={"actions": CUSTOM[:1]})
    uri = editor.open("loop.py", LOOP)
    await editor.until(applied(editor, 1), lsp.WINDOW_LOG_MESSAGE)
    titles = {a.title for a in await editor.actions(uri, editor.cursor(uri, "result"))}
    assert "gptls (settings): Add type hints" in titles
    editor.client.set_configuration({"actions": [{"title": "Simplify", "instructions": "Simpler."}]}, section="gptls")
    editor.client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(settings=None))
    await editor.until(applied(editor, 2), lsp.WINDOW_LOG_MESSAGE)
    titles = {a.title for a in await editor.actions(uri, editor.cursor(uri, "result"))}
    assert "gptls (settings): Simplify" in titles and "gptls (settings): Add type hints" not in titles
