"""gpt-5-mini's shutdown as a user meets it, over stdio and at the command line: the warning before the date,
the switch to a successor after it, no usable successor, parameters a newer model refuses, errors inside a
stream. Dates are set relative to today, so the suite behaves the same on any day."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from lsprotocol import types as lsp

from tests.double import replies
from tests.double.server import GPT5_MINI, ModelRules, ResponsesDouble
from tests.e2e.test_actions import AREA, COMPLEXITY, IMPLEMENTED, STUB
from tests.e2e.test_cli import gptls

HOW = "To choose a model, set gptls.model (--model at the command line)."


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def shutting_down(double: ResponsesDouble, days: int) -> str:
    when = (today() + dt.timedelta(days=days)).isoformat()
    double.models["gpt-5-mini"] = dataclasses.replace(GPT5_MINI, shutdown_date=when)
    return when


def retire(double: ResponsesDouble, model: str = "gpt-5-mini") -> None:
    when = (today() - dt.timedelta(days=1)).isoformat()
    double.models[model] = dataclasses.replace(GPT5_MINI, shutdown_date=when, retired=True)


def warnings(editor) -> list[str]:
    return [m.message for m in editor.client.messages if m.type == lsp.MessageType.Warning]


async def model_checked(editor) -> None:
    """The background lookup has finished (it logs one line when it has)."""
    await editor.until(
        lambda: any("model check:" in m.message for m in editor.client.log_messages), lsp.WINDOW_LOG_MESSAGE
    )


# -- before the date ------------------------------------------------------------------------------------


async def test_the_editor_warns_once_a_day_before_the_shutdown(make_editor, tmp_path) -> None:
    editor = await make_editor(env={"XDG_STATE_HOME": str(tmp_path)})
    when = shutting_down(editor.double, 16)
    await model_checked(editor)
    assert warnings(editor) == [
        f"gptls: gpt-5-mini shuts down on {when} (16 days from now); gptls will then switch to gpt-6.1-terra "
        f"(this key can use it). {HOW}"
    ]
    assert editor.double.requests == [], "the lookup is no model call"
    again = await make_editor(env={"XDG_STATE_HOME": str(tmp_path)})
    await model_checked(again)
    assert warnings(again) == [], "at most once a day, remembered in the state dir"


async def test_no_warning_when_the_date_is_far_or_the_backend_has_no_catalogue(make_editor) -> None:
    far = await make_editor()
    shutting_down(far.double, 45)
    await model_checked(far)
    assert warnings(far) == []
    far.double.serves_catalogue = False
    bare = await make_editor()
    await model_checked(bare)
    uri = bare.open("geometry.py", STUB)
    bare.double.script(replies.json_output({"code": AREA}))
    await bare.run(uri, bare.cursor(uri, "..."), "generate")
    assert bare.buffers[uri] == IMPLEMENTED and warnings(bare) == []


async def test_check_command_names_the_date_the_days_left_and_the_successor(editor) -> None:
    when = shutting_down(editor.double, 10)
    result = await editor.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="gptls.check", arguments=[])
    )
    assert (result["shutdownDate"], result["daysLeft"], result["successor"]) == (when, 10, "gpt-6.1-terra")
    assert result["successorUsable"] is True
    await editor.until(lambda: any("answered in" in m for m in editor.messages()))
    (shown,) = [m for m in editor.messages() if "answered in" in m]
    assert (
        f"gpt-5-mini: shuts down on {when} (10 days left); gptls would switch to gpt-6.1-terra (this key can use it). "
        "project index: " in shown
    ), shown
    index = result["index"]
    assert shown.endswith(
        f"project index: {index['files']:,} files"
        + ("" if index["built"] else ", still being built")
        + (f" ({index['note']})." if index["note"] else ".")
    ), shown


async def test_check_asked_at_start_with_no_index_says_why_and_not_still_being_built(make_editor) -> None:
    # Sent straight after initialize, before the settings are pulled: the answer waits for them.
    editor = await make_editor(init_options={"indexMaxFiles": 0})
    result = await editor.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="gptls.check", arguments=[])
    )
    assert result["index"] == {"files": 0, "built": True, "note": "no workspace folder, or indexMaxFiles is 0"}
    await editor.until(lambda: any("answered in" in m for m in editor.messages()))
    (shown,) = [m for m in editor.messages() if "answered in" in m]
    assert shown.endswith("project index: 0 files (no workspace folder, or indexMaxFiles is 0)."), shown


def test_cli_check_prints_the_shutdown_and_the_successor(double) -> None:
    when = shutting_down(double, 16)
    double.models["gpt-6.1-terra"] = ModelRules(usable=False)
    result = gptls("check", env=double.env())
    assert result.returncode == 0, result.stderr
    assert (
        f"model         gpt-5-mini: shuts down on {when} (16 days left); gptls would switch to gpt-5.6-terra "
        "(this key can use it)"
    ) in result.stdout


# -- after the date ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["resolve", "command"])
async def test_a_retired_model_switches_to_its_successor_and_the_edit_still_lands(make_editor, path) -> None:
    from tests.e2e.test_actions import editor_for

    editor = await editor_for(make_editor, path)
    retire(editor.double)
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": AREA}), replies.json_output(COMPLEXITY))
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    assert editor.buffers[uri] == IMPLEMENTED
    switch = (
        "gptls: gpt-5-mini is no longer served by OpenAI; gpt-6.1-terra answered instead, and gptls will keep "
        f"using it. {HOW}"
    )
    await editor.until(lambda: switch in editor.messages())
    await editor.run(uri, editor.cursor(uri, "untouched"), "explain")
    assert [b["model"] for b in editor.double.bodies] == ["gpt-5-mini", "gpt-6.1-terra", "gpt-6.1-terra"]
    assert editor.messages().count(switch) == 1
    assert not any("OPENAI_BASE_URL" in m for m in editor.messages())


async def test_the_switch_is_remembered_across_restarts(make_editor, tmp_path) -> None:
    first = await make_editor(env={"XDG_STATE_HOME": str(tmp_path)})
    retire(first.double)
    uri = first.open("geometry.py", STUB)
    first.double.script(replies.json_output({"code": AREA}))
    await first.run(uri, first.cursor(uri, "..."), "generate")
    second = await make_editor(env={"XDG_STATE_HOME": str(tmp_path)})
    uri = second.open("geometry.py", STUB)
    second.double.script(replies.json_output({"code": AREA}))
    await second.run(uri, second.cursor(uri, "..."), "generate")
    assert [b["model"] for b in second.double.bodies] == ["gpt-5-mini", "gpt-6.1-terra", "gpt-6.1-terra"]


async def test_no_usable_fallback_is_one_clear_error_without_a_retry_storm(make_editor) -> None:
    editor = await make_editor()
    retire(editor.double)
    for model in ("gpt-6.1-terra", "gpt-5.6-terra"):
        editor.double.models[model] = ModelRules(usable=False)
    uri = editor.open("geometry.py", STUB)
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    error = (
        "gptls: gpt-5-mini is no longer served (404 model_not_found) and no model in gptls.fallbackModels "
        "(gpt-6.1-terra, gpt-5.6-terra) is available to this key: set gptls.model (--model at the command line) "
        "to a model your key can use."
    )
    await editor.until(lambda: error in editor.messages())
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    await editor.until(lambda: editor.messages().count(error) == 2)
    assert len(editor.double.requests) == 1, "one 404, then nothing more is sent"
    assert editor.buffers[uri] == STUB


def test_cli_run_switches_and_says_so(double, tmp_path) -> None:
    retire(double)
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    double.script(replies.json_output({"code": AREA}))
    result = gptls("run", "generate", f"{path}:6", "--apply", env={**double.env(), "XDG_STATE_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert path.read_text() == IMPLEMENTED
    assert result.stderr.count("gpt-5-mini is no longer served by OpenAI; gpt-6.1-terra answered instead") == 1
    assert f"{HOW}" in result.stderr
    assert " INFO " not in result.stderr  # a terminal gets warnings and errors only (INFO with -v)
    verbose = gptls("run", "explain", f"{path}:6", "-v", env={**double.env(), "XDG_STATE_HOME": str(tmp_path)})
    assert " INFO " in verbose.stderr


def test_cli_check_after_the_shutdown_says_which_model_answered(double, tmp_path) -> None:
    retire(double)
    result = gptls("check", env={**double.env(), "XDG_STATE_HOME": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert "answered by   gpt-6.1-terra" in result.stdout
    assert "no longer served by OpenAI" in result.stderr


def test_cli_check_with_no_fallback_fails_naming_the_setting(double, tmp_path) -> None:
    retire(double)
    config = tmp_path / "gptls.json"
    config.write_text('{"fallbackModels": []}')
    result = gptls("check", "--config", str(config), env={**double.env(), "XDG_STATE_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "gpt-5-mini is no longer served (404 model_not_found) and gptls.fallbackModels is empty" in result.stderr


def test_cli_check_with_a_mistyped_model_fails_and_suggests_the_right_one(double, tmp_path) -> None:
    result = gptls("check", "--model", "gpt-5-mni", env={**double.env(), "XDG_STATE_HOME": str(tmp_path)})
    assert result.returncode == 1
    assert (
        "gpt-5-mni is not a model this endpoint serves" in result.stderr and "did you mean gpt-5-mini?" in result.stderr
    )
    assert [r.body["model"] for r in double.requests] == ["gpt-5-mni"], "no paid fallback was asked"
    assert "switched" not in (tmp_path / "gptls" / "models.json").read_text().replace('"switched": {}', "")


async def test_a_mistyped_model_in_the_editor_is_an_error_not_a_switch(make_editor) -> None:
    editor = await make_editor(init_options={"model": "gpt-5-mni"})
    uri = editor.open("geometry.py", STUB)
    await editor.run(uri, editor.cursor(uri, "area"), "generate")
    await editor.until(lambda: any("did you mean gpt-5-mini?" in m for m in editor.messages()))
    assert not any("answered instead" in m for m in editor.messages())
    assert [r.body["model"] for r in editor.double.requests] == ["gpt-5-mni"]
    assert editor.buffers[uri] == STUB


# -- parameters that differ between models ------------------------------------------------------------------


async def test_a_refused_effort_is_adjusted_with_one_warning_naming_the_setting(make_editor) -> None:
    editor = await make_editor(init_options={"model": "gpt-6.1-terra", "reasoningEffort": "minimal"})
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": AREA}), replies.json_output(COMPLEXITY))
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    await editor.run(uri, editor.cursor(uri, "untouched"), "explain")
    assert editor.buffers[uri] == IMPLEMENTED
    efforts = [b["reasoning"]["effort"] for b in editor.double.bodies]
    assert efforts == ["minimal", "low", "low"], "retried once with the nearest value, then sent right away"
    assert [w for w in warnings(editor) if "has no price" not in w] == [
        "gptls: gpt-6.1-terra does not accept gptls.reasoningEffort = 'minimal' (it supports none, low, medium, "
        "high, xhigh); gptls used 'low' instead. Set gptls.reasoningEffort to one of those to skip the extra "
        "round trip."
    ]


async def test_temperature_for_a_reasoning_model_is_refused_at_load_and_never_sent(make_editor) -> None:
    editor = await make_editor(init_options={"temperature": 0.2})
    await editor.until(lambda: any("'temperature': gpt-5-mini is a reasoning model" in m for m in editor.messages()))
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": AREA}))
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    assert "temperature" not in editor.double.requests[0].body


# -- errors inside a stream ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "advice"),
    [
        ("insufficient_quota", "Your OpenAI quota is used up (insufficient_quota): check your plan and billing"),
        ("context_length_exceeded", "Too much text for the model's context window"),
    ],
)
async def test_a_nested_error_frame_reaches_the_user_with_its_advice(editor, code, advice) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.midstream_error(code, "live wording"))
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    await editor.until(lambda: any(advice in m for m in editor.messages()))
    assert editor.buffers[uri] == STUB and len(editor.double.requests) == 1
    assert not any("unknown error" in m for m in editor.messages())


async def test_a_rate_limit_inside_a_stream_is_retried(editor) -> None:
    uri = editor.open("geometry.py", STUB)
    editor.double.script(
        replies.midstream_error("rate_limit_exceeded", "slow down").then(headers={"retry-after-ms": "5"}),
        replies.json_output({"code": AREA}),
    )
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    assert editor.buffers[uri] == IMPLEMENTED and len(editor.double.requests) == 2
