"""The only code in gptls that speaks HTTP: ``POST {base_url}/responses``, plain or streamed.

One ``httpx.AsyncClient`` per process (connection reuse). Each call takes the current ``Settings`` so a
configuration change applies to the next call without rebuilding anything. Cancelling the task that awaits
a call closes its connection at once: nothing here swallows ``asyncio.CancelledError``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx

from gptls import __version__
from gptls.config import Settings
from gptls.openai import ratelimit
from gptls.openai.errors import (
    SETTING_OF_PARAM,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    DeadlineExceededError,
    GptlsError,
    IncompleteError,
    MalformedResponseError,
    MissingApiKeyError,
    RateLimitError,
    StreamCutError,
    UnsupportedParameterError,
    from_status,
    from_stream_error,
)
from gptls.openai.wire import CallInfo, JsonDict, ModelResult, ResponseRequest, build_body, parse_response
from gptls.privacy import register_secret

log = logging.getLogger("gptls.openai")

MAX_RESPONSE_BYTES = 16 * 1024 * 1024
MAX_MODELS_BYTES = 4 * 1024 * 1024
# Where each optional parameter a model may refuse lives in the body. A refused value is replaced by the
# nearest one the error lists as supported; a refused parameter is left out. Either way, once per call.
ADJUSTABLE = {
    "temperature": ("temperature",),
    "top_p": ("top_p",),
    "truncation": ("truncation",),
    "service_tier": ("service_tier",),
    "prompt_cache_key": ("prompt_cache_key",),
    "text.verbosity": ("text", "verbosity"),
    "verbosity": ("text", "verbosity"),
    "reasoning.effort": ("reasoning", "effort"),
    "reasoning": ("reasoning", "effort"),
}
# Values with an order, so "nearest" means something: a refused effort becomes the closest one, upwards on a tie.
ORDERED_VALUES: dict[tuple[str, ...], tuple[str, ...]] = {
    ("reasoning", "effort"): ("none", "minimal", "low", "medium", "high", "xhigh", "max"),
    ("text", "verbosity"): ("low", "medium", "high"),
}
_LEAVE_OUT = object()
TERMINAL_EVENTS = {"response.completed", "response.incomplete", "response.failed", "error"}


@dataclass(frozen=True)
class TextDelta:
    """A piece of answer text as it arrives in a stream."""

    text: str


StreamItem = TextDelta | ModelResult
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
        # (base_url, model, body path, refused value as JSON) -> the value sent instead (or _LEAVE_OUT).
        self._adjusted: dict[tuple[str, str, tuple[str, ...], str], Any] = {}
        self._warned: set[tuple[str, str, str]] = set()
        self.on_notice: Callable[[str], None] | None = None  # shows a user one warning; set by the face in use

    def forget_adjustments(self) -> None:
        """Settings changed: what a model refused under the old ones no longer applies."""
        self._adjusted.clear()
        self._warned.clear()

    def notice(self, message: str) -> None:
        """A warning the user should see once (not an error: the call went on)."""
        log.warning(message)
        if self.on_notice is not None:
            self.on_notice(message)

    async def get_json(self, path: str, settings: Settings, *, wait: float = 10.0) -> Any:
        """``GET {base_url}/{path}`` once, no retries (the model catalogue is never on an action's path).
        Raises a ``GptlsError`` for an error status, a transport failure or an answer that is not JSON."""
        key = settings.api_key.reveal()
        if not key:
            raise MissingApiKeyError()
        register_secret(key)
        headers = {"Authorization": f"Bearer {key}", "User-Agent": f"gptls/{__version__}"}
        if settings.organization:
            headers["OpenAI-Organization"] = settings.organization
        if settings.project:
            headers["OpenAI-Project"] = settings.project
        request = self._http.build_request(
            "GET", f"{settings.base_url}/{path}", headers=headers, timeout=httpx.Timeout(wait)
        )
        async with _Exchange(self._http, request, settings) as response:
            raw = await _read_limited(response, MAX_MODELS_BYTES)
            if response.status_code >= 400:
                raise self._status_error(response, raw.decode("utf-8", "replace"), settings)
            try:
                return json.loads(raw)
            except ValueError:
                raise MalformedResponseError(f"GET /{path} did not answer JSON") from None

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
        if settings.stream:
            final: ModelResult | None = None
            async for item in self.stream(request, settings, on_retry=on_retry):
                if isinstance(item, TextDelta):
                    if on_delta is not None:
                        on_delta(item.text)
                else:
                    final = item
            assert final is not None  # stream() ends with a result or raises
            return final
        return await self._create_plain(request, settings, on_retry)

    async def stream(
        self, request: ResponseRequest, settings: Settings, *, on_retry: RetryHook | None = None
    ) -> AsyncIterator[StreamItem]:
        """Text deltas as they arrive, then the final ``ModelResult``.

        A failure before the first delta is retried like any other call; once text has been handed out,
        a failure raises (the caller decides), and a stream that ends without a terminal event raises
        ``StreamCutError``: a partial answer is never passed off as complete.
        """
        body = self._body(request, settings, stream=True)
        deadline = time.monotonic() + settings.deadline
        attempt = 0
        adjusted: set[tuple[str, ...]] = set()
        while True:
            yielded = False
            started = time.monotonic()
            response_info: dict[str, Any] = {}
            try:
                async for item in self._stream_once(body, settings, deadline, response_info):
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

    async def _create_plain(
        self, request: ResponseRequest, settings: Settings, on_retry: RetryHook | None
    ) -> ModelResult:
        body = self._body(request, settings, stream=False)
        deadline = time.monotonic() + settings.deadline
        attempt = 0
        adjusted: set[tuple[str, ...]] = set()
        while True:
            started = time.monotonic()
            response_info: dict[str, Any] = {}
            try:
                remaining = deadline - time.monotonic()
                try:
                    async with asyncio.timeout(remaining):
                        result = await self._post_once(body, settings, deadline, response_info)
                except TimeoutError:
                    raise DeadlineExceededError(
                        f"OpenAI did not answer within gptls.deadline ({settings.deadline:g}s): try again or "
                        "raise gptls.deadline.",
                        request_id=response_info.get("request_id"),
                    ) from None
                result = result.with_info(self._info(response_info, started, attempt))
                self._log_success(settings, result)
                return result
            except GptlsError as error:
                self._log_failure(settings, error, started, attempt)
                attempt, body = await self._before_retry(error, attempt, body, settings, deadline, on_retry, adjusted)

    # -- one HTTP exchange -------------------------------------------------------------------------

    async def _post_once(
        self, body: JsonDict, settings: Settings, deadline: float, info: dict[str, Any]
    ) -> ModelResult:
        async with self._open(body, settings, deadline, stream=False) as response:
            info.update(_response_info(response))
            raw = await _read_limited(response)
            if response.status_code >= 400:
                raise self._status_error(response, raw.decode("utf-8", "replace"), settings)
            try:
                obj = json.loads(raw)
            except ValueError:
                raise MalformedResponseError(
                    f"The endpoint answered {response.status_code} with "
                    f"{_content_type(response) or 'no content type'} that is not JSON: check that "
                    "OPENAI_BASE_URL points at an OpenAI-compatible /v1 endpoint (a proxy page?).",
                    status=response.status_code,
                    request_id=info.get("request_id"),
                ) from None
            return _with_request_id(
                parse_response(obj, max_output_tokens=body.get("max_output_tokens"), model=settings.model), info
            )

    async def _stream_once(
        self, body: JsonDict, settings: Settings, deadline: float, info: dict[str, Any]
    ) -> AsyncIterator[StreamItem]:
        async with self._open(body, settings, deadline, stream=True) as response:
            info.update(_response_info(response))
            if response.status_code >= 400:
                raw = await _read_limited(response)
                raise self._status_error(response, raw.decode("utf-8", "replace"), settings)
            if "text/event-stream" not in _content_type(response):
                # Some backends ignore stream=true and answer with one JSON object.
                raw = await _read_limited(response)
                try:
                    obj = json.loads(raw)
                except ValueError:
                    raise MalformedResponseError(
                        f"The endpoint answered with {_content_type(response) or 'no content type'} instead "
                        "of an event stream: check OPENAI_BASE_URL (a proxy page?).",
                        status=response.status_code,
                        request_id=info.get("request_id"),
                    ) from None
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
                    event = _event_json(data, info)
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
                await _drain(events)
                yield _with_request_id(final, info)
                return
            raise StreamCutError(
                "The answer stream was cut before it finished; nothing was applied. Try again.",
                request_id=info.get("request_id"),
            )

    def _open(self, body: JsonDict, settings: Settings, deadline: float, *, stream: bool) -> _Exchange:
        key = settings.api_key.reveal()
        if not key:
            raise MissingApiKeyError()
        register_secret(key)
        remaining = max(0.001, deadline - time.monotonic())
        timeout = httpx.Timeout(min(settings.timeout, remaining), connect=min(10.0, settings.timeout, remaining))
        headers = {
            "Authorization": f"Bearer {key}",
            "Content-Type": "application/json",
            "User-Agent": f"gptls/{__version__}",
        }
        if stream:
            headers["Accept"] = "text/event-stream"
        if settings.organization:
            headers["OpenAI-Organization"] = settings.organization
        if settings.project:
            headers["OpenAI-Project"] = settings.project
        request = self._http.build_request(
            "POST",
            f"{settings.base_url}/responses",
            content=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            headers=headers,
            timeout=timeout,
        )
        return _Exchange(self._http, request, settings)

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
            changed = self._adjust_refused(error, body, settings, adjusted)
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

    def _adjust_refused(
        self, error: UnsupportedParameterError, body: JsonDict, settings: Settings, adjusted: set[tuple[str, ...]]
    ) -> JsonDict | None:
        """The body with the refused value replaced by the nearest supported one (or the parameter left out),
        or None when the parameter is not one gptls may change or was already changed in this call."""
        path: tuple[str, ...] | None = ADJUSTABLE.get(error.param or "")
        if path is None or path in adjusted or not _has_path(body, path):
            return None
        adjusted.add(path)
        refused = _get_path(body, path)
        supported = error.supported if error.code != "unsupported_parameter" else ()
        replacement = _nearest(refused, supported, ORDERED_VALUES.get(path, ())) if supported else _LEAVE_OUT
        self._adjusted[(settings.base_url, settings.model, path, json.dumps(refused))] = replacement
        setting = SETTING_OF_PARAM.get(error.param or "", error.param or "")
        warned = (settings.model, setting, json.dumps(refused))
        if warned not in self._warned:
            self._warned.add(warned)
            if replacement is _LEAVE_OUT:
                self.notice(
                    f"gptls: {settings.model} does not accept gptls.{setting} ({refused!r}); gptls left it out and "
                    f"retried. Remove gptls.{setting} from your settings to skip the extra round trip."
                )
            else:
                self.notice(
                    f"gptls: {settings.model} does not accept gptls.{setting} = {refused!r} (it supports "
                    f"{', '.join(supported)}); gptls used {replacement!r} instead. Set gptls.{setting} to one of "
                    "those to skip the extra round trip."
                )
        return _with_path(body, path, replacement)

    def _body(self, request: ResponseRequest, settings: Settings, *, stream: bool) -> JsonDict:
        body = build_body(settings, request, stream=stream)
        for (base_url, model, path, refused), replacement in list(self._adjusted.items()):
            same_model = base_url == settings.base_url and model == settings.model
            if same_model and _has_path(body, path) and json.dumps(_get_path(body, path)) == refused:
                body = _with_path(body, path, replacement)
        return body

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
        log.warning(
            "POST /responses model=%s failed after %.0f ms (attempt %d): %s",
            settings.model,
            (time.monotonic() - started) * 1000.0,
            attempt + 1,
            error.details(),
        )


class _Exchange:
    """``async with`` one request: maps transport failures to typed errors, always closes the response."""

    def __init__(self, http: httpx.AsyncClient, request: httpx.Request, settings: Settings) -> None:
        self._http = http
        self._request = request
        self._settings = settings
        self._response: httpx.Response | None = None

    async def __aenter__(self) -> httpx.Response:
        try:
            self._response = await self._http.send(self._request, stream=True)
        except httpx.TimeoutException:
            raise APITimeoutError(
                f"OpenAI did not answer within gptls.timeout ({self._settings.timeout:g}s): try again or raise "
                "gptls.timeout.",
            ) from None
        except httpx.TransportError as exc:
            raise APIConnectionError(
                f"Could not reach {self._settings.base_url} ({type(exc).__name__}): check the network, proxy "
                "settings and OPENAI_BASE_URL.",
            ) from None
        return self._response

    async def __aexit__(self, *exc: object) -> None:
        if self._response is not None:
            await self._response.aclose()


# Events named on their `event:` line that gptls never needs: their JSON is not decoded. A backend that
# names no events has every one decoded (then the JSON's own type decides).
PASSED_OVER = frozenset(
    {
        "response.created",
        "response.in_progress",
        "response.queued",
        "response.output_item.added",
        "response.output_item.done",
        "response.content_part.added",
        "response.content_part.done",
        "response.output_text.done",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_part.done",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
    }
)


async def server_sent_events(response: httpx.Response) -> AsyncIterator[tuple[str, str]]:
    """(event name, data) for each event of a ``text/event-stream`` body, as the SSE format defines them:
    blank-line separated, ``data:`` lines joined by newlines, ``:`` comments and other fields ignored."""
    name, data = "", list[str]()
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield name, "\n".join(data)
            name, data = "", []
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
    if data:
        yield name, "\n".join(data)


async def _drain(events: AsyncIterator[Any]) -> None:
    """Read what follows the terminal event (the end of the chunked body) so the connection is reused;
    a backend that keeps the stream open gets a second, then its connection is closed."""
    try:
        async with asyncio.timeout(1.0):
            async for _event in events:
                pass
    except (TimeoutError, httpx.HTTPError):
        pass


async def _read_limited(response: httpx.Response, limit: int = MAX_RESPONSE_BYTES) -> bytes:
    chunks: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise MalformedResponseError(
                    "The endpoint's answer is far larger than any answer gptls asked for; stopped reading it.",
                    status=response.status_code,
                    request_id=response.headers.get("x-request-id"),
                )
            chunks.append(chunk)
    except httpx.TimeoutException:
        raise APITimeoutError(
            "The endpoint stopped sending its answer part-way (read timeout): try again.",
            request_id=response.headers.get("x-request-id"),
        ) from None
    except (httpx.RemoteProtocolError, httpx.ReadError):
        raise MalformedResponseError(
            "The connection closed before the whole answer arrived; nothing was applied. Try again.",
            status=response.status_code,
            request_id=response.headers.get("x-request-id"),
        ) from None
    return b"".join(chunks)


def _response_info(response: httpx.Response) -> dict[str, Any]:
    return {
        "request_id": response.headers.get("x-request-id"),
        "status": response.status_code,
        "ratelimit": ratelimit.headroom(response.headers),
    }


def _content_type(response: httpx.Response) -> str:
    return str(response.headers.get("content-type", "")).split(";")[0].strip().lower()


def _event_json(data: str, info: dict[str, Any]) -> JsonDict:
    try:
        event = json.loads(data)
    except ValueError:
        raise MalformedResponseError(
            "The answer stream held an event that is not JSON; nothing was applied.",
            request_id=info.get("request_id"),
        ) from None
    if not isinstance(event, dict):
        raise MalformedResponseError("The answer stream held an unexpected event; nothing was applied.")
    return event


def _with_request_id(result: ModelResult, info: dict[str, Any]) -> ModelResult:
    return replace(result, info=replace(result.info, request_id=info.get("request_id")))


def _has_path(body: JsonDict, path: tuple[str, ...]) -> bool:
    node: Any = body
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _get_path(body: JsonDict, path: tuple[str, ...]) -> Any:
    node: Any = body
    for key in path:
        node = node[key]
    return node


def _with_path(body: JsonDict, path: tuple[str, ...], value: Any) -> JsonDict:
    """A copy of ``body`` with ``path`` set to ``value`` (or removed, for ``_LEAVE_OUT``)."""
    if not _has_path(body, path):
        return body
    copy = json.loads(json.dumps(body))
    node = copy
    for key in path[:-1]:
        node = node[key]
    if value is _LEAVE_OUT:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return dict(copy)


def _nearest(refused: Any, supported: tuple[str, ...], order: tuple[str, ...]) -> str:
    """The supported value closest to the refused one in ``order`` (upwards on a tie); the first supported
    value when the order does not know them."""
    known = [v for v in supported if v in order]
    if not known or refused not in order:
        return supported[0]
    at = order.index(refused)
    return min(known, key=lambda v: (abs(order.index(v) - at), order.index(v) < at))


__all__ = [
    "IncompleteError",
    "ResponsesClient",
    "StreamItem",
    "TextDelta",
]
