"""The only code in gptls that speaks HTTP: ``POST {base_url}/responses``, plain or streamed, and the model
catalogue's ``GET``s.

One ``httpx.AsyncClient`` per process (connection reuse). Each call takes the current ``Settings`` so a
configuration change applies to the next call without rebuilding anything. One retry loop serves plain and
streamed calls. Cancelling the task that awaits a call closes its connection at once: nothing here swallows
``asyncio.CancelledError``. Reading event streams is ``sse.py``; refused parameter values, ``refusals.py``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any, Union

import httpx

from gptls.config import Settings
from gptls.errors import GptlsError
from gptls.openai import ratelimit
from gptls.openai.api_errors import (
    APIStatusError,
    APITimeoutError,
    DeadlineExceededError,
    IncompleteError,
    MalformedResponseError,
    MissingApiKeyError,
    RateLimitError,
    StreamCutError,
    UnsupportedParameterError,
    from_status,
    from_stream_error,
)
from gptls.openai.exchange import (
    MAX_MODELS_BYTES,
    MAX_RESPONSE_BYTES,
    Exchange,
    content_type,
    headers,
    read_json,
    read_limited,
    response_info,
)
from gptls.openai.refusals import RefusedParameters
from gptls.openai.sse import PASSED_OVER, drain, event_json, server_sent_events
from gptls.openai.wire import CallInfo, JsonDict, ModelResult, ResponseRequest, build_body, parse_response
from gptls.timeouts import timeout

log = logging.getLogger(__name__)

TERMINAL_EVENTS = {"response.completed", "response.incomplete", "response.failed", "error"}


@dataclass(frozen=True)
class TextDelta:
    """A piece of answer text as it arrives in a stream."""

    text: str


StreamItem = Union[TextDelta, ModelResult]
RetryHook = Callable[[GptlsError, float], None]


class ResponsesClient:
    """Calls the Responses API with retries, a total deadline, typed errors and a log line per call."""

    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = httpx.AsyncClient(
            transport=transport,
            # Bursts (many hovers at once) reuse connections instead of opening new ones each time.
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=64),
            follow_redirects=False,
            trust_env=True,
        )
        self.refused = RefusedParameters(self.notice)
        self.on_notice: Callable[[str], None] | None = None  # shows a user one warning; set by the face in use

    def forget_adjustments(self) -> None:
        """Settings changed: what a model refused under the old ones no longer applies."""
        self.refused.forget()

    def notice(self, message: str) -> None:
        """A warning the user should see once (not an error: the call went on): shown by the face in use (and
        logged at INFO, so a terminal does not show it twice), else logged as a warning."""
        if self.on_notice is not None:
            log.info("%s", message)
            self.on_notice(message)
        else:
            log.warning("%s", message)

    async def get_json(self, path: str, settings: Settings, *, wait: float = 10.0) -> Any:
        """``GET {base_url}/{path}`` once, no retries (the model catalogue is never on an action's path).
        Raises a ``GptlsError`` for an error status, a transport failure or an answer that is not JSON."""
        request = self._http.build_request(
            "GET", f"{settings.base_url}/{path}", headers=headers(settings), timeout=httpx.Timeout(wait)
        )
        async with Exchange(self._http, request, settings) as response:
            raw = await read_limited(response, MAX_MODELS_BYTES)
            if response.status_code >= 400:
                raise self._status_error(response, raw.decode("utf-8", "replace"), settings)
            return read_json(raw, response, {"request_id": response.headers.get("x-request-id")})

    async def aclose(self) -> None:
        await self._http.aclose()

    async def create(
        self,
        request: ResponseRequest,
        settings: Settings,
        *,
        on_delta: Callable[[str], None] | None = None,
        on_retry: RetryHook | None = None,
    ) -> ModelResult:
        """One answer. Streams when ``settings.stream`` (calling ``on_delta`` per text piece).

        ``on_retry(error, delay)`` is called before each retry so a user can see why it takes longer.
        """
        final: ModelResult | None = None
        async for item in self._calls(request, settings, on_retry, stream=settings.stream):
            if isinstance(item, TextDelta):
                if on_delta is not None:
                    on_delta(item.text)
            else:
                final = item
        assert final is not None  # _calls ends with a result or raises
        return final

    def stream(
        self, request: ResponseRequest, settings: Settings, *, on_retry: RetryHook | None = None
    ) -> AsyncIterator[StreamItem]:
        """Text deltas as they arrive, then the final ``ModelResult``."""
        return self._calls(request, settings, on_retry, stream=True)

    async def _calls(
        self, request: ResponseRequest, settings: Settings, on_retry: RetryHook | None, *, stream: bool
    ) -> AsyncIterator[StreamItem]:
        """The one retry loop. A failure before anything was handed out is retried (or a refused value
        adjusted); once text has been handed out, a failure raises (the caller decides), and a stream that ends
        without a terminal event raises ``StreamCutError``: a partial answer is never passed off as complete."""
        body = self._body(request, settings, stream=stream)
        deadline = time.monotonic() + settings.deadline
        attempt = 0
        adjusted: set[tuple[str, ...]] = set()
        while True:
            yielded = False
            started = time.monotonic()
            response_info: dict[str, Any] = {}
            once = self._stream_once if stream else self._post_once
            try:
                async for item in once(body, settings, deadline, response_info):
                    yielded = True
                    if isinstance(item, ModelResult):
                        final = item.with_info(self._info(response_info, started, attempt))
                        self._log_success(settings, final)
                        yield final
                    else:
                        yield item
                return
            except GptlsError as error:
                self._log_failure(settings, error, started, attempt)
                if yielded:
                    raise
                attempt, body = await self._before_retry(error, attempt, body, settings, deadline, on_retry, adjusted)

    # -- one HTTP exchange -------------------------------------------------------------------------

    async def _post_once(
        self, body: JsonDict, settings: Settings, deadline: float, info: dict[str, Any]
    ) -> AsyncIterator[StreamItem]:
        try:
            async with timeout(deadline - time.monotonic()):
                result = await self._post(body, settings, deadline, info)
        except asyncio.TimeoutError:
            raise DeadlineExceededError(
                f"OpenAI did not answer within gptls.deadline ({settings.deadline:g}s): try again or "
                "raise gptls.deadline.",
                request_id=info.get("request_id"),
            ) from None
        yield result

    async def _post(self, body: JsonDict, settings: Settings, deadline: float, info: dict[str, Any]) -> ModelResult:
        async with self._open(body, settings, deadline, stream=False) as response:
            info.update(response_info(response))
            raw = await read_limited(response)
            if response.status_code >= 400:
                raise self._status_error(response, raw.decode("utf-8", "replace"), settings)
            obj = read_json(raw, response, info)
            return _with_request_id(
                parse_response(obj, max_output_tokens=body.get("max_output_tokens"), model=settings.model), info
            )

    async def _stream_once(
        self, body: JsonDict, settings: Settings, deadline: float, info: dict[str, Any]
    ) -> AsyncIterator[StreamItem]:
        async with self._open(body, settings, deadline, stream=True) as response:
            info.update(response_info(response))
            if response.status_code >= 400:
                raw = await read_limited(response)
                raise self._status_error(response, raw.decode("utf-8", "replace"), settings)
            if "text/event-stream" not in content_type(response):
                # Some backends ignore stream=true and answer with one JSON object.
                obj = read_json(await read_limited(response), response, info, expected="an event stream or JSON")
                result = parse_response(obj, max_output_tokens=body.get("max_output_tokens"), model=settings.model)
                if result.text:
                    yield TextDelta(result.text)
                yield _with_request_id(result, info)
                return
            received = 0
            final: ModelResult | None = None
            events = server_sent_events(response)
            try:
                async for name, data in events:
                    if time.monotonic() > deadline:
                        raise DeadlineExceededError(
                            f"The answer took longer than gptls.deadline ({settings.deadline:g}s); nothing "
                            "was applied. Try again or raise gptls.deadline.",
                            request_id=info.get("request_id"),
                        )
                    received += len(data)
                    if received > MAX_RESPONSE_BYTES:
                        raise MalformedResponseError(
                            "The answer stream is far larger than any answer gptls asked for; stopped it.",
                            request_id=info.get("request_id"),
                        )
                    if name in PASSED_OVER:
                        continue  # most of a stream is bookkeeping gptls does not use: not even decoded
                    event = event_json(data, info)
                    kind = event.get("type") or name
                    if kind == "response.output_text.delta":
                        delta = event.get("delta")
                        if isinstance(delta, str) and delta:
                            yield TextDelta(delta)
                    elif kind == "error":
                        raise from_stream_error(event, model=settings.model, request_id=info.get("request_id"))
                    elif kind in TERMINAL_EVENTS:
                        final = parse_response(
                            event.get("response"), max_output_tokens=body.get("max_output_tokens"), model=settings.model
                        )
                        break
            except httpx.TimeoutException:
                raise APITimeoutError(
                    f"The answer stream stalled for more than gptls.timeout ({settings.timeout:g}s); nothing "
                    "was applied. Try again.",
                    request_id=info.get("request_id"),
                ) from None
            except (httpx.RemoteProtocolError, httpx.ReadError):
                pass  # fall through: the connection ended before a terminal event
            if final is not None:
                await drain(events)
                yield _with_request_id(final, info)
                return
            raise StreamCutError(
                "The answer stream was cut before it finished; nothing was applied. Try again.",
                request_id=info.get("request_id"),
            )

    def _open(self, body: JsonDict, settings: Settings, deadline: float, *, stream: bool) -> Exchange:
        remaining = max(0.001, deadline - time.monotonic())
        timeout = httpx.Timeout(min(settings.timeout, remaining), connect=min(10.0, settings.timeout, remaining))
        sent = {**headers(settings), "Content-Type": "application/json"}
        if stream:
            sent["Accept"] = "text/event-stream"
        request = self._http.build_request(
            "POST",
            f"{settings.base_url}/responses",
            content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers=sent,
            timeout=timeout,
        )
        return Exchange(self._http, request, settings)

    # -- retries ----------------------------------------------------------------------------------

    async def _before_retry(
        self,
        error: GptlsError,
        attempt: int,
        body: JsonDict,
        settings: Settings,
        deadline: float,
        on_retry: RetryHook | None,
        adjusted: set[tuple[str, ...]],
    ) -> tuple[int, JsonDict]:
        """Wait before the next attempt and return (attempt, body); raise ``error`` when giving up."""
        if isinstance(error, UnsupportedParameterError):
            changed = self.refused.adjust(error, body, settings, adjusted)
            if changed is None:
                raise error
            return attempt, changed
        if not error.retryable or attempt >= settings.max_retries:
            raise error
        hint = error.retry_after
        if hint is not None and hint > settings.max_retry_wait:
            raise RateLimitError(
                f"OpenAI asks gptls to wait {hint:.0f}s before retrying, longer than gptls.maxRetryWait "
                f"({settings.max_retry_wait:g}s): try again later.",
                status=error.status,
                request_id=error.request_id,
                code=error.code,
                retry_after=hint,
            ) from error
        delay = hint if hint is not None else ratelimit.backoff(attempt)
        if time.monotonic() + delay >= deadline:
            raise error
        log.info(
            "retrying in %.2fs after %s (attempt %d of %d)",
            delay,
            type(error).__name__,
            attempt + 2,
            settings.max_retries + 1,
        )
        if on_retry is not None:
            on_retry(error, delay)
        await asyncio.sleep(delay)
        return attempt + 1, body

    def _body(self, request: ResponseRequest, settings: Settings, *, stream: bool) -> JsonDict:
        return self.refused.apply(build_body(settings, request, stream=stream), settings)

    def _status_error(self, response: httpx.Response, text: str, settings: Settings) -> APIStatusError:
        return from_status(
            response.status_code,
            text,
            request_id=response.headers.get("x-request-id"),
            model=settings.model,
            base_url=settings.base_url,
            retry_after=ratelimit.server_hint(response.headers) if response.status_code in (429, 503) else None,
        )

    # -- observability ----------------------------------------------------------------------------

    def _info(self, response_info: dict[str, Any], started: float, attempt: int) -> CallInfo:
        return CallInfo(
            request_id=response_info.get("request_id"),
            status=response_info.get("status"),
            latency_ms=(time.monotonic() - started) * 1000.0,
            attempts=attempt + 1,
            ratelimit=response_info.get("ratelimit", {}),
        )

    def _log_success(self, settings: Settings, result: ModelResult) -> None:
        u, i = result.usage, result.info
        log.info(
            "POST /responses model=%s status=%s request_id=%s latency_ms=%.0f attempts=%d tokens: input=%d "
            "cached=%d output=%d reasoning=%d ratelimit: %s",
            settings.model,
            i.status,
            i.request_id,
            i.latency_ms,
            i.attempts,
            u.input_tokens,
            u.cached_input_tokens,
            u.output_tokens,
            u.reasoning_tokens,
            " ".join(f"{k}={v}" for k, v in i.ratelimit.items()) or "n/a",
        )

    def _log_failure(self, settings: Settings, error: GptlsError, started: float, attempt: int) -> None:
        if isinstance(error, MissingApiKeyError):
            return  # nothing was sent: there is no failed request to log, only the message the user gets
        log.warning(
            "POST /responses model=%s failed after %.0f ms (attempt %d): %s",
            settings.model,
            (time.monotonic() - started) * 1000.0,
            attempt + 1,
            error.details(),
        )


def _with_request_id(result: ModelResult, info: dict[str, Any]) -> ModelResult:
    return replace(result, info=replace(result.info, request_id=info.get("request_id")))


__all__ = [
    "IncompleteError",
    "ResponsesClient",
    "StreamItem",
    "TextDelta",
]
