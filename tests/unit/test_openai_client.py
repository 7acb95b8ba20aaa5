"""The Responses client against the double: every success and error path a user can meet."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from typing import Any

import pytest

from gptls.config import Secret, Settings
from gptls.config_sources import settings_from_env
from gptls.openai import FunctionTool, JsonSchemaFormat, ResponseRequest, ResponsesClient, TextDelta, follow_up
from gptls.openai import api_errors as e
from tests.double import replies
from tests.double.server import ModelRules, ResponsesDouble


def settings_for(double: ResponsesDouble, **changes: Any) -> Settings:
    base = settings_from_env(double.env())
    return dataclasses.replace(base, **{"stream": False, **changes})


@pytest.fixture
async def client() -> Any:
    c = ResponsesClient()
    yield c
    await c.aclose()


HELLO = ResponseRequest(input="Say hi", instructions="You are terse.")


async def test_text_answer_concatenates_output_text_and_reports_usage(double, client) -> None:
    double.script(
        replies.Reply(output=[replies.reasoning_item(), replies.message("Hello, "), replies.message("world")])
    )
    result = await client.create(HELLO, settings_for(double))
    assert result.text == "Hello, world"
    assert result.usage.input_tokens > 0 and result.usage.reasoning_tokens == 16
    assert result.info.request_id and result.info.request_id.startswith("req_")
    assert result.info.ratelimit["remaining-requests"] == "4999"


async def test_request_carries_auth_headers_and_private_defaults(double, client) -> None:
    settings = dataclasses.replace(settings_for(double), organization="org-1", project="proj-2")
    await client.create(HELLO, settings)
    (seen,) = double.requests
    assert seen.headers["authorization"] == f"Bearer {double.api_key}"
    assert seen.headers["openai-organization"] == "org-1"
    assert seen.headers["openai-project"] == "proj-2"
    body = seen.body
    assert body["model"] == "gpt-5-mini"
    assert body["store"] is False
    assert body["reasoning"] == {"effort": "low"}
    assert body["service_tier"] == "auto"
    assert "temperature" not in body and "top_p" not in body and "truncation" not in body


def test_org_and_project_come_from_the_environment() -> None:
    settings = settings_from_env(
        {
            "OPENAI_API_KEY": "k" * 10,
            "OPENAI_ORG_ID": "org-9",
            "OPENAI_PROJECT_ID": "proj-9",
            "OPENAI_BASE_URL": "http://x/v1/",
        }
    )
    assert (settings.organization, settings.project, settings.base_url) == ("org-9", "proj-9", "http://x/v1")


async def test_truncation_and_sampling_are_sent_only_when_configured(double, client) -> None:
    await client.create(HELLO, settings_for(double, truncation="auto", top_p=0.5, model="gpt-4.1-mini"))
    assert double.requests[0].body["truncation"] == "auto"
    assert double.requests[0].body["top_p"] == 0.5


async def test_structured_output_request_is_valid_and_answer_parses(double, client) -> None:
    schema = {
        "type": "object",
        "properties": {"code": {"type": "string"}, "explanation": {"type": "string"}},
        "required": ["code", "explanation"],
        "additionalProperties": False,
    }
    double.script(replies.json_output({"code": "x = 1", "explanation": "sets x"}))
    request = ResponseRequest(input="write x", text_format=JsonSchemaFormat("code_answer", schema))
    result = await client.create(request, settings_for(double))
    assert json.loads(result.text) == {"code": "x = 1", "explanation": "sets x"}
    assert double.requests[0].body["text"]["format"]["type"] == "json_schema"


async def test_streaming_yields_deltas_then_the_final_result(double, client) -> None:
    double.script(replies.text("Hello from a stream", text_chunks=["Hello ", "from ", "a stream"]))
    items = [item async for item in client.stream(HELLO, settings_for(double, stream=True))]
    deltas = [i.text for i in items if isinstance(i, TextDelta)]
    assert deltas == ["Hello ", "from ", "a stream"]
    assert items[-1].text == "Hello from a stream"
    assert double.requests[0].body["stream"] is True


async def test_create_with_streaming_calls_on_delta(double, client) -> None:
    double.script(replies.text("abcdefghijklmnopqrstuvwxyz"))
    seen: list[str] = []
    result = await client.create(HELLO, settings_for(double, stream=True), on_delta=seen.append)
    assert "".join(seen) == result.text == "abcdefghijklmnopqrstuvwxyz"


async def test_backend_that_ignores_stream_true_still_works(double, client) -> None:
    double.script(replies.text("plain json", ignore_stream=True))
    result = await client.create(HELLO, settings_for(double, stream=True))
    assert result.text == "plain json"


async def test_missing_key_names_openai_api_key_and_sends_nothing(double, client) -> None:
    settings = dataclasses.replace(settings_for(double), api_key=Secret(""))
    with pytest.raises(e.MissingApiKeyError, match="OPENAI_API_KEY"):
        await client.create(HELLO, settings)
    assert double.requests == []


@pytest.mark.parametrize(
    ("reply", "error_type", "words"),
    [
        (replies.invalid_api_key(), e.AuthenticationError, "OPENAI_API_KEY"),
        (replies.permission_denied(), e.PermissionDeniedError, "project"),
        (replies.not_found(), e.ModelNotFoundError, "Set gptls.model"),
        (replies.error(404, "Invalid URL (POST /v1/responses)"), e.NotFoundError, "OPENAI_BASE_URL"),
        (replies.context_too_long(), e.ContextLengthError, "select less code"),
        (replies.insufficient_quota(), e.QuotaExceededError, "billing"),
        (replies.error(400, "Invalid value for 'input'.", param="input"), e.BadRequestError, "parameter input"),
        (replies.refusal("No."), e.RefusalError, "refused: No."),
        (replies.incomplete("max_output_tokens"), e.IncompleteError, "gptls.maxOutputTokens"),
        (replies.incomplete("content_filter"), e.IncompleteError, "content filter"),
        (replies.failed("invalid_prompt", "bad prompt"), e.ResponseFailedError, "invalid_prompt"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
async def test_errors_that_retrying_cannot_fix_are_raised_at_once_with_advice(
    double, client, reply, error_type, words, stream
) -> None:
    double.script(reply)
    with pytest.raises(error_type, match=words) as caught:
        await client.create(HELLO, settings_for(double, stream=stream))
    assert len(double.requests) == 1, "no retry for an error retrying cannot fix"
    if reply.status_code >= 400:
        assert caught.value.request_id and caught.value.status == reply.status_code


async def test_rate_limit_is_retried_after_the_server_hint(double, client) -> None:
    double.script(replies.rate_limited(retry_after_ms=30), replies.text("after the wait"))
    result = await client.create(HELLO, settings_for(double))
    assert result.text == "after the wait"
    first, second = double.requests
    assert second.started - first.started >= 0.03
    assert result.info.attempts == 2


async def test_rate_limit_that_never_clears_gives_up_after_max_retries(double, client) -> None:
    double.script(*[replies.rate_limited(retry_after_ms=5)] * 5)
    with pytest.raises(e.RateLimitError, match="429"):
        await client.create(HELLO, settings_for(double, max_retries=2))
    assert len(double.requests) == 3


async def test_huge_retry_after_is_not_waited_for_and_the_user_is_told(double, client) -> None:
    double.script(replies.rate_limited(retry_after_ms=None, retry_after="3600"))
    # Not waited for: the error comes after the one request (waiting an hour would meet the suite's timeout).
    with pytest.raises(e.RateLimitError, match="wait 3600s"):
        await client.create(HELLO, settings_for(double, max_retry_wait=5))
    assert len(double.requests) == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_server_errors_are_retried(double, client, status) -> None:
    double.script(replies.server_error(status).then(headers={"retry-after-ms": "5"}), replies.text("fine"))
    assert (await client.create(HELLO, settings_for(double))).text == "fine"
    assert len(double.requests) == 2


async def test_persistent_server_error_ends_with_advice(double, client) -> None:
    double.script(*[replies.server_error(503).then(headers={"retry-after-ms": "5"})] * 3)
    with pytest.raises(e.ServerError, match="try again"):
        await client.create(HELLO, settings_for(double, max_retries=2))
    assert len(double.requests) == 3


async def test_html_error_page_from_a_proxy_is_a_server_error_not_a_crash(double, client) -> None:
    double.script(replies.html_page(502).then(headers={"retry-after-ms": "5"}), replies.html_page(502))
    with pytest.raises(e.ServerError, match="502"):
        await client.create(HELLO, settings_for(double, max_retries=1))


@pytest.mark.parametrize("stream", [False, True])
async def test_garbage_body_is_a_clear_error(double, client, stream) -> None:
    double.script(*[replies.garbage()] * 2)
    with pytest.raises(e.MalformedResponseError, match="OPENAI_BASE_URL"):
        await client.create(HELLO, settings_for(double, stream=stream, max_retries=1))


async def test_connection_reset_is_retried(double, client) -> None:
    double.script(replies.reset(), replies.text("second time lucky"))
    assert (await client.create(HELLO, settings_for(double))).text == "second time lucky"


async def test_read_timeout_is_retried_then_reported(double, client) -> None:
    double.script(replies.hang(), replies.hang())
    with pytest.raises(e.APITimeoutError, match="gptls.timeout"):
        await client.create(HELLO, settings_for(double, timeout=1.0, max_retries=1))
    assert len(double.requests) == 2


async def test_total_deadline_bounds_a_slow_drip(double, client) -> None:
    # The drip would take 800 s; the deadline (1 s) ends it with a timeout error, not the suite's timeout.
    double.script(replies.text("x" * 4000).then(drip=0.2))
    with pytest.raises(e.APITimeoutError):
        await client.create(HELLO, settings_for(double, deadline=1.0, max_retries=3))


async def test_unsupported_temperature_is_left_out_retried_once_and_warned_once(double, client) -> None:
    notices: list[str] = []
    client.on_notice = notices.append
    double.models["local-model"] = ModelRules(efforts=("low",), sampling=True)  # a proxy's model: takes both
    settings = settings_for(double, model="local-model", temperature=0.2)
    double.script(replies.unsupported_parameter("temperature"), replies.text("ok"))
    assert (await client.create(HELLO, settings)).text == "ok"
    await client.create(HELLO, settings)
    first, second, third = double.bodies
    assert first["temperature"] == 0.2 and "temperature" not in second and "temperature" not in third
    assert notices == [
        "gptls: local-model does not accept gptls.temperature (0.2); gptls left it out and retried. Remove "
        "gptls.temperature from your settings to skip the extra round trip."
    ]


@pytest.mark.parametrize(
    ("model", "configured", "used", "supported"),
    [
        ("gpt-6.1-terra", "minimal", "low", "none, low, medium, high, xhigh"),
        ("gpt-5-mini", "xhigh", "high", "minimal, low, medium, high"),
        ("gpt-5-mini", "none", "minimal", "minimal, low, medium, high"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
async def test_a_refused_effort_becomes_the_nearest_supported_one_with_one_warning(
    double, client, model, configured, used, supported, stream
) -> None:
    notices: list[str] = []
    client.on_notice = notices.append
    settings = settings_for(double, model=model, reasoning_effort=configured, stream=stream)
    assert (await client.create(HELLO, settings)).text == "ok"
    await client.create(HELLO, settings)
    efforts = [b["reasoning"] for b in double.bodies]
    assert efforts == [{"effort": configured}, {"effort": used}, {"effort": used}], "the reasoning object is kept"
    assert notices == [
        f"gptls: {model} does not accept gptls.reasoningEffort = {configured!r} (it supports {supported}); gptls "
        f"used {used!r} instead. Set gptls.reasoningEffort to one of those to skip the extra round trip."
    ]
    client.forget_adjustments()  # the settings changed: the next call asks with what the user set again
    await client.create(HELLO, settings)
    assert double.bodies[3]["reasoning"] == {"effort": configured}


async def test_a_value_refused_twice_is_an_error_naming_the_setting_not_a_loop(double, client) -> None:
    double.script(
        replies.unsupported_value("reasoning.effort", "minimal", "gpt-5-mini", ["low"]),
        replies.unsupported_value("reasoning.effort", "low", "gpt-5-mini", ["high"]),
    )
    with pytest.raises(e.UnsupportedParameterError, match="gptls.reasoningEffort"):
        await client.create(HELLO, settings_for(double, reasoning_effort="minimal"))
    assert len(double.requests) == 2


async def test_unsupported_parameter_that_cannot_be_dropped_is_an_error(double, client) -> None:
    double.script(replies.unsupported_parameter("input"))
    with pytest.raises(e.UnsupportedParameterError):
        await client.create(HELLO, settings_for(double))


async def test_stream_cut_mid_event_is_an_error_not_a_partial_result(double, client) -> None:
    double.script(replies.text("a long answer that will never finish").then(cut_after_events=8))
    received: list[str] = []
    with pytest.raises(e.StreamCutError, match="nothing was applied"):
        async for item in client.stream(HELLO, settings_for(double, stream=True)):
            if isinstance(item, TextDelta):
                received.append(item.text)
            else:
                pytest.fail("a cut stream produced a final result")
    assert received, "the cut came after some text had arrived"
    assert len(double.requests) == 1, "text already shown is not silently retried"


async def test_stream_cut_before_any_text_is_retried(double, client) -> None:
    double.script(replies.text("whole").then(cut_after_events=1), replies.text("whole"))
    assert (await client.create(HELLO, settings_for(double, stream=True))).text == "whole"
    assert len(double.requests) == 2


async def test_flat_stream_error_event_becomes_a_typed_error(double, client) -> None:
    double.script(
        replies.text("").then(stream_error={"code": "context_length_exceeded", "message": "too long", "param": None})
    )
    with pytest.raises(e.ContextLengthError):
        await client.create(HELLO, settings_for(double, stream=True))


@pytest.mark.parametrize(
    ("code", "error_type", "words"),
    [
        ("insufficient_quota", e.QuotaExceededError, "quota is used up"),
        ("context_length_exceeded", e.ContextLengthError, "select less code"),
        ("invalid_prompt", e.ResponseFailedError, "invalid_prompt"),
    ],
)
@pytest.mark.parametrize("stream", [False, True])
async def test_nested_error_frames_and_failed_responses_are_classified_like_http_errors(
    double, client, code, error_type, words, stream
) -> None:
    double.script(replies.midstream_error(code, f"live words for {code}"))
    with pytest.raises(error_type, match=words) as caught:
        await client.create(HELLO, settings_for(double, stream=stream))
    assert caught.value.code == code
    assert "unknown error" not in str(caught.value) and "no details" not in str(caught.value)
    assert len(double.requests) == 1


@pytest.mark.parametrize("code", ["rate_limit_exceeded", "server_error"])
@pytest.mark.parametrize("stream", [False, True])
async def test_retryable_errors_inside_an_answer_are_retried(double, client, code, stream) -> None:
    double.script(replies.midstream_error(code, "try later").then(headers={"retry-after-ms": "5"}), replies.text("ok"))
    assert (await client.create(HELLO, settings_for(double, stream=stream))).text == "ok"
    assert len(double.requests) == 2


@pytest.mark.parametrize("stream", [False, True])
async def test_cancelling_the_task_closes_the_connection_at_once(double, client, stream) -> None:
    double.script(replies.hang() if not stream else replies.text("x" * 200).then(drip=5))
    task = asyncio.create_task(client.create(HELLO, settings_for(double, stream=stream)))
    await asyncio.to_thread(double.wait_for_requests, 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    # The double sees the connection closed (left open, the hanging answer would never end it).
    seen = await asyncio.to_thread(double.wait_for_abort)
    assert seen.aborted_at is not None


async def test_connections_are_reused_across_calls(double, client) -> None:
    for _ in range(3):
        await client.create(HELLO, settings_for(double))
    assert double.connections_opened == 1


RUN_TESTS = FunctionTool(
    name="run_tests",
    description="Run the candidate code with tests.",
    parameters={
        "type": "object",
        "properties": {"code": {"type": "string"}, "tests": {"type": "string"}},
        "required": ["code", "tests"],
        "additionalProperties": False,
    },
)


@pytest.mark.parametrize("store", [False, True])
async def test_function_call_round_trip(double, client, store) -> None:
    settings = settings_for(double, store=store)
    request = ResponseRequest(input="write add()", tools=(RUN_TESTS,))
    double.script(
        replies.function_call("run_tests", {"code": "def add(a,b): return a+b", "tests": "assert 1"}, call_id="call_1"),
        replies.text("done"),
    )
    first = await client.create(request, settings)
    (call,) = first.function_calls
    assert (call.call_id, call.name, call.parsed_arguments()["tests"]) == ("call_1", "run_tests", "assert 1")
    second = await client.create(follow_up(request, first, [("call_1", '{"passed": true}')], store=store), settings)
    assert second.text == "done"
    sent_tool = double.bodies[0]["tools"][0]
    assert sent_tool["type"] == "function" and sent_tool["name"] == "run_tests" and "function" not in sent_tool
    body = double.bodies[1]
    if store:
        assert body["previous_response_id"] == first.id
        assert body["input"] == [{"type": "function_call_output", "call_id": "call_1", "output": '{"passed": true}'}]
    else:
        assert "previous_response_id" not in body
        assert body["include"] == ["reasoning.encrypted_content"]
        kinds = [item.get("type", "message") for item in body["input"]]
        assert kinds == ["message", "reasoning", "function_call", "function_call_output"]


async def test_the_key_never_reaches_logs_or_error_text_even_when_echoed(double, client, caplog) -> None:
    from gptls import redaction

    double.echo_key_in_errors = True
    double.api_key = "sk-proj-canary0123456789abcdefCANARY"
    wrong = dataclasses.replace(settings_for(double), api_key=Secret("sk-proj-wrongkey0123456789WRONG"))
    handler = redaction.protect(logging.StreamHandler(stream := __import__("io").StringIO()))
    logging.getLogger().addHandler(handler)
    try:
        with caplog.at_level(logging.DEBUG):
            with pytest.raises(e.AuthenticationError) as caught:
                await client.create(HELLO, wrong)
            double.script(replies.server_error(500), replies.server_error(500))
            with pytest.raises(e.ServerError) as caught_server:
                await client.create(HELLO, dataclasses.replace(wrong, api_key=Secret(double.api_key), max_retries=1))
    finally:
        logging.getLogger().removeHandler(handler)
    for text in (
        str(caught.value),
        caught.value.details(),
        str(caught_server.value),
        caught_server.value.details(),
        stream.getvalue(),
    ):
        assert "canary0123456789" not in text and "wrongkey0123456789" not in text
    assert "POST /responses" in stream.getvalue()


async def test_streamed_calls_reuse_the_connection(double, client) -> None:
    for _ in range(3):
        await client.create(HELLO, settings_for(double, stream=True))
    assert double.connections_opened == 1
