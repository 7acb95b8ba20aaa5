"""Asking about the code and refining a proposed edit, over stdio as an editor drives them."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types as lsp

from tests.double import replies
from tests.e2e.test_actions import gptls_vscode_capabilities, send_and_cancel

CODE = "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n"


def _user_texts(body: dict) -> list[str]:
    sent = body["input"]
    if isinstance(sent, str):
        return [sent]
    return [m["content"] for m in sent if m.get("role") == "user"]


async def ask(editor, arguments: dict) -> dict:
    return await editor.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="gptls.ask", arguments=[arguments])
    )


def about(editor, uri: str, needle: str, question: str) -> dict:
    rng = editor.cursor(uri, needle)
    return {
        "textDocument": {"uri": uri},
        "range": {
            "start": {"line": rng.start.line, "character": rng.start.character},
            "end": {"line": rng.end.line, "character": rng.end.character},
        },
        "question": question,
    }


@pytest.mark.parametrize("store", [False, True])
async def test_an_ask_answers_and_a_follow_up_carries_the_earlier_turn(make_editor, store) -> None:
    editor = await make_editor(env={"GPTLS_STORE": "true"} if store else {})
    uri = editor.open("totals.py", CODE)
    editor.double.script(replies.text("It adds the items up. [click](https://evil.example) ![x](http://x/y.png)"))
    first = await ask(editor, about(editor, uri, "result = 0", "what does this do?"))
    assert "It adds the items up" in first["answer"] and first["conversation"]
    # Model text is text: no link or image survives into the Markdown.
    assert "](https://evil.example)" not in first["answer"] and "![x](" not in first["answer"]
    body = editor.double.requests[0].body
    assert "what does this do?" in body["input"] and "for item in items" in body["input"]
    assert "text" not in body or body["text"].get("format", {}).get("type") != "json_schema"

    editor.double.script(replies.text("An empty list gives 0."))
    follow = await ask(editor, {"conversation": first["conversation"], "question": "and for an empty list?"})
    assert "An empty list gives 0" in follow["answer"] and follow["conversation"] == first["conversation"]
    sent = editor.double.requests[1].body
    if store:
        assert sent["previous_response_id"].startswith("resp")
        assert _user_texts(sent) == ["Follow-up question (the user's, not the file's): and for an empty list?"]
    else:
        assert "previous_response_id" not in sent
        roles = [m.get("role") for m in sent["input"]]
        assert roles == ["user", "assistant", "user"]
        assert "what does this do?" in sent["input"][0]["content"]
        assert "It adds the items up" in sent["input"][1]["content"]
        assert sent["input"][2]["content"].endswith("and for an empty list?")


async def test_an_ask_in_an_excluded_file_is_refused_and_nothing_is_sent(editor) -> None:
    uri = editor.open("secrets.env", "API_TOKEN=abc\n", "dotenv")
    answer = await ask(editor, about(editor, uri, "API_TOKEN", "what is this?"))
    assert "gptls.exclude" in answer["error"] and editor.double.requests == []
    uri = editor.open("credentials.py", CODE)
    answer = await ask(editor, about(editor, uri, "result = 0", "what does this do?"))
    assert "gptls.exclude" in answer["error"] and editor.double.requests == []


async def test_a_follow_up_of_an_unknown_conversation_says_to_ask_again(editor) -> None:
    answer = await ask(editor, {"conversation": "c-nope", "question": "and then?"})
    assert "ask again" in answer["error"] and editor.double.requests == []
    answer = await ask(editor, {"question": ""})
    assert "needs a question" in answer["error"]


async def test_an_ask_streams_to_a_client_that_asked_for_it(make_editor) -> None:
    from pytest_lsp import client_capabilities

    caps = client_capabilities("visual-studio-code")
    caps.experimental = {"gptls": {"answerStream": True}}
    editor = await make_editor(capabilities=caps, env={"GPTLS_STREAM": "true"})
    pieces: list = []

    @editor.client.feature("gptls/answer")
    def answer_piece(params) -> None:
        pieces.append(params)

    uri = editor.open("totals.py", CODE)
    answer = "A long answer that arrives in several pieces over the stream."
    editor.double.script(replies.text(answer, drip=0.05))
    done = await ask(editor, about(editor, uri, "result", "what does it do?"))
    await editor.until(lambda: "".join(p.delta for p in pieces).endswith("stream."), "gptls/answer")
    assert {p.conversation for p in pieces} == {done["conversation"]} and len(pieces) > 1
    # Every client's progress line shows the answer's words as they come, not only a count.
    shown = [getattr(v, "message", None) or "" for values in editor.client.progress_reports.values() for v in values]
    assert any("A long answer that" in message for message in shown), shown


async def test_cancelling_an_ask_closes_the_model_connection(editor) -> None:
    uri = editor.open("totals.py", CODE)
    editor.double.script(replies.hang())
    params = lsp.ExecuteCommandParams(command="gptls.ask", arguments=[about(editor, uri, "result", "why?")])
    await send_and_cancel(editor, lsp.WORKSPACE_EXECUTE_COMMAND, params, via="request")


async def refine(editor, uri: str, instruction: str) -> dict:
    return await editor.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(
            command="gptls.refine", arguments=[{"textDocument": {"uri": uri}, "instruction": instruction}]
        )
    )


@pytest.mark.parametrize("applied", [True, False])
async def test_a_refinement_rewrites_the_code_as_it_is_now_and_carries_the_earlier_answer(make_editor, applied) -> None:
    # The VS Code extension's client: a refactor comes for review as workspace/applyEdit; Discard is an answer.
    editor = await make_editor(capabilities=gptls_vscode_capabilities())
    uri = editor.open("totals.py", CODE)
    proposed = "def total(items):\n    return sum(items)"
    editor.double.script(replies.json_output({"code": proposed, "explanation": "uses sum"}))
    if not applied:
        editor.answer_apply = lambda _params: lsp.ApplyWorkspaceEditResult(
            applied=False, failure_reason="you discarded it in the review"
        )
    await editor.run(uri, editor.cursor(uri, "result = 0"), "refactor")
    now = editor.buffers[uri]
    assert (proposed in now) == applied
    editor.answer_apply = None
    refined = "def total(items):\n    return sum(items, 0)\n\n\nsum_items = total"
    editor.double.script(replies.json_output({"code": refined, "explanation": "kept an alias"}))
    result = await refine(editor, uri, "also keep the old name as an alias: sum_items")
    assert result["applied"], result
    assert editor.buffers[uri].startswith(refined)
    # The refinement was reviewed (a change annotation that needs confirmation), like every rewrite.
    annotations = editor.applied[-1].edit.change_annotations or {}
    assert any(a.needs_confirmation for a in annotations.values())
    sent = editor.double.requests[1].body
    texts = json.dumps(sent["input"])
    assert "uses sum" in texts and "sum_items" in texts  # the earlier answer and the instruction
    current = sent["input"][-1]["content"]
    assert ("return sum(items)" in current) == applied and ("result = 0" in current) == (not applied)


async def test_a_refinement_without_a_proposal_says_what_to_do(editor) -> None:
    uri = editor.open("totals.py", CODE)
    result = await refine(editor, uri, "shorter")
    assert "run an action first" in result["error"] and editor.double.requests == []


async def test_asks_are_their_own_kind_in_the_usage_report(editor) -> None:
    uri = editor.open("totals.py", CODE)
    editor.double.script(replies.text("It sums."))
    await ask(editor, about(editor, uri, "result", "what?"))
    report = await editor.client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="gptls.usage"))
    assert report["kinds"]["asks"]["calls"] == 1 and "actions" not in report["kinds"]


async def test_explain_this_code_asks_the_default_question_and_keeps_the_answer_as_the_hover(editor) -> None:
    uri = editor.open("totals.py", CODE)
    editor.double.script(replies.text("It sums the items; an empty list gives 0."))
    result = await editor.run(uri, editor.cursor(uri, "result = 0"), "ask")
    assert "It sums the items" in result["text"]
    assert "What does this code do" in editor.double.requests[0].body["input"]
    hover = await editor.hover(uri, editor.pos(uri, "total"))
    assert hover is not None and "It sums the items" in hover.contents.value
    assert len(editor.double.requests) == 1  # the hover shows the kept answer: no second call
