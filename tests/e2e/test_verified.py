"""Generate function (verified): the model calls run_tests, gptls runs its code in the sandbox, loops."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types as lsp

from tests.double import replies

STUB = '''def median(values: list[float]) -> float:
    """Median of a non-empty list.

    >>> median([3, 1, 2])
    2
    """
    ...
'''
WRONG = (
    'def median(values):\n    """Median.\n\n    >>> median([3, 1, 2])\n    2\n    """\n'
    "    return values[len(values) // 2]\n"
)
RIGHT = (
    "def median(values: list[float]) -> float:\n"
    '    """Median of a non-empty list.\n\n    >>> median([3, 1, 2])\n    2\n    """\n'
    "    ordered = sorted(values)\n    middle = len(ordered) // 2\n"
    "    if len(ordered) % 2:\n        return ordered[middle]\n"
    "    return (ordered[middle - 1] + ordered[middle]) / 2\n"
)
TESTS = "assert median([1, 2, 3, 4]) == 2.5\nassert median([5]) == 5\n"


def run_tests_call(code: str, tests: str = TESTS, call_id: str = "call_1") -> replies.Reply:
    return replies.function_call("run_tests", {"code": code, "tests": tests}, call_id=call_id)


def outputs_sent(body: dict) -> list[dict]:
    items = body["input"] if isinstance(body["input"], list) else []
    return [json.loads(i["output"]) for i in items if i.get("type") == "function_call_output"]


@pytest.mark.parametrize("store", [False, True])
async def test_fail_then_fix_then_pass_and_only_the_final_code_lands(make_editor, store) -> None:
    editor = await make_editor(env={"GPTLS_STORE": str(store).lower()})
    uri = editor.open("stats.py", STUB)
    editor.double.script(
        run_tests_call(WRONG, call_id="c1"), run_tests_call(RIGHT, call_id="c2"), replies.json_output({"code": RIGHT})
    )
    result = await editor.run(uri, editor.cursor(uri, "..."), "generate-verified")
    assert editor.buffers[uri] == RIGHT
    first, second, third = editor.double.bodies
    assert first["tools"][0]["name"] == "run_tests" and first["tools"][0]["strict"] is True
    (failed,) = outputs_sent(second)
    assert failed["passed"] is False and "doctests: 0 of 1 passed" in failed["report"]
    passed = outputs_sent(third)[-1]
    assert passed["passed"] is True
    if store:
        assert second["previous_response_id"] and third["previous_response_id"]
        assert [i["type"] for i in second["input"]] == ["function_call_output"]
    else:
        assert "previous_response_id" not in second
        assert second["include"] == ["reasoning.encrypted_content"]
        kinds = [i.get("type", "message") for i in third["input"]]
        assert kinds == [
            "message",
            "reasoning",
            "function_call",
            "function_call_output",
            "reasoning",
            "function_call",
            "function_call_output",
        ]
    await editor.until(lambda: any("Generate function (verified): tests passed" in m for m in editor.messages()))
    assert editor.prompts, "the user was asked before any code ran"
    if result is not None and isinstance(result, dict):
        assert result.get("applied") is True


async def test_round_limit_forces_a_final_answer_and_says_the_tests_did_not_pass(make_editor) -> None:
    editor = await make_editor(init_options={"verifyRounds": 2})
    uri = editor.open("stats.py", STUB)
    editor.double.script(
        run_tests_call(WRONG, call_id="c1"),
        run_tests_call(WRONG, call_id="c2"),
        run_tests_call(WRONG, call_id="c3"),
        replies.json_output({"code": WRONG}),
    )
    await editor.run(uri, editor.cursor(uri, "..."), "generate-verified")
    bodies = editor.double.bodies
    assert len(bodies) == 4
    assert bodies[3]["tool_choice"] == "none"
    assert "Round limit reached" in outputs_sent(bodies[3])[-1]["report"]
    await editor.until(lambda: any("tests did NOT pass" in m for m in editor.messages()))
    assert "return values[len(values) // 2]" in editor.buffers[uri], "the final code is applied, with the warning"
    verdicts = [m for m in editor.client.messages if "tests did NOT pass" in m.message]
    assert [m.type for m in verdicts] == [lsp.MessageType.Warning], "the verdict, once, as a warning"


async def test_invalid_json_arguments_are_answered_and_the_loop_goes_on(make_editor) -> None:
    editor = await make_editor()
    uri = editor.open("stats.py", STUB)
    editor.double.script(
        replies.function_call("run_tests", '{"code": "def median(', call_id="bad"),
        run_tests_call(RIGHT, call_id="c2"),
        replies.json_output({"code": RIGHT}),
    )
    await editor.run(uri, editor.cursor(uri, "..."), "generate-verified")
    (answer,) = outputs_sent(editor.double.bodies[1])
    assert answer["passed"] is False and "not usable" in answer["report"]
    assert editor.buffers[uri] == RIGHT


async def test_the_candidate_never_sees_the_key_even_through_the_server(make_editor) -> None:
    editor = await make_editor()
    uri = editor.open("stats.py", STUB)
    probe = "import os\nassert 'OPENAI_API_KEY' not in os.environ\nassert not any('KEY' in k for k in os.environ)\n"
    editor.double.script(run_tests_call(RIGHT, tests=TESTS + probe), replies.json_output({"code": RIGHT}))
    await editor.run(uri, editor.cursor(uri, "..."), "generate-verified")
    (answer,) = outputs_sent(editor.double.bodies[1])
    assert answer["passed"] is True, answer["report"]


async def test_cancel_at_the_prompt_runs_nothing_and_sends_nothing(make_editor) -> None:
    editor = await make_editor()
    editor.prompt_answer = "Cancel"
    uri = editor.open("stats.py", STUB)
    await editor.run(uri, editor.cursor(uri, "..."), "generate-verified")
    assert editor.double.requests == [] and editor.buffers[uri] == STUB
    await editor.until(lambda: any("was not allowed" in m for m in editor.messages()))


async def test_always_for_this_workspace_is_remembered(make_editor, tmp_path) -> None:
    editor = await make_editor(env={"XDG_STATE_HOME": str(tmp_path)})
    editor.prompt_answer = "Always for this workspace"
    uri = editor.open("stats.py", STUB)
    editor.double.script(replies.json_output({"code": RIGHT}))
    await editor.run(uri, editor.cursor(uri, "..."), "generate-verified")
    assert len(editor.prompts) == 1
    # a new server process (an editor restart) does not ask again
    again = await make_editor(env={"XDG_STATE_HOME": str(tmp_path)})
    again.prompt_answer = None
    uri = again.open("stats.py", STUB)
    again.double.script(replies.json_output({"code": RIGHT}))
    await again.run(uri, again.cursor(uri, "..."), "generate-verified")
    assert again.prompts == [] and again.buffers[uri] == RIGHT


async def test_the_setting_turns_the_action_off_entirely(make_editor) -> None:
    editor = await make_editor(init_options={"verifiedAction": False})
    uri = editor.open("stats.py", STUB)
    offered = {a.data["action"] for a in await editor.actions(uri, editor.cursor(uri, "..."))}
    assert "generate" in offered and "generate-verified" not in offered


async def test_only_offered_for_python(editor) -> None:
    uri = editor.open("add.js", "function add(a, b) {\n  // TODO\n}\n", language="javascript")
    offered = {a.data["action"] for a in await editor.actions(uri, editor.cursor(uri, "TODO"))}
    assert "generate" in offered and "generate-verified" not in offered
