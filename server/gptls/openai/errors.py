"""Typed errors, each with a one-line message that tells the user what to do.

Modelled on openai-python's hierarchy (APIStatusError -> AuthenticationError, RateLimitError, ...), but
every message here is written for the person at the editor, and every text that came from the network is
scrubbed of anything key-shaped before it is stored.
"""

from __future__ import annotations

import json
from typing import Any

from gptls.redact import scrub


class GptlsError(Exception):
    """Base of every error gptls shows a user. ``str(err)`` is the actionable message."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        code: str | None = None,
        param: str | None = None,
        api_message: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = scrub(message)
        self.status = status
        self.request_id = request_id
        self.code = code
        self.param = param
        self.api_message = scrub(api_message) if api_message else None
        self.retry_after = retry_after
        super().__init__(self.message)

    def details(self) -> str:
        """A longer line for logs: status, code, param, request id and the API's own words."""
        parts = [type(self).__name__]
        for name in ("status", "code", "param", "request_id"):
            value = getattr(self, name)
            if value is not None:
                parts.append(f"{name}={value}")
        if self.api_message:
            parts.append(f"api_message={self.api_message!r}")
        return " ".join(parts)


class MissingApiKeyError(GptlsError):
    def __init__(self) -> None:
        super().__init__(
            "No OpenAI API key: set OPENAI_API_KEY in the environment the editor starts gptls in "
            "(or pass apiKey in the gptls settings), then restart gptls."
        )


class APIStatusError(GptlsError):
    """The API answered with an error status."""


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class BadRequestError(APIStatusError):
    pass


class ContextLengthError(BadRequestError):
    ADVICE = "Too much text for the model's context window: select less code or lower gptls.contextBudget."


class UnsupportedParameterError(BadRequestError):
    pass


class RateLimitError(APIStatusError):
    retryable = True


class QuotaExceededError(APIStatusError):
    pass


class ServerError(APIStatusError):
    retryable = True


class APIConnectionError(GptlsError):
    retryable = True


class APITimeoutError(APIConnectionError):
    pass


class MalformedResponseError(GptlsError):
    """The endpoint answered, but not with a Responses API object (a proxy page, garbage, truncation)."""

    retryable = True


class StreamCutError(MalformedResponseError):
    pass


class RefusalError(GptlsError):
    pass


class IncompleteError(GptlsError):
    def __init__(self, reason: str | None, max_output_tokens: int | None, **kw: Any) -> None:
        self.reason = reason
        if reason == "max_output_tokens":
            message = (
                f"The answer was cut off at maxOutputTokens ({max_output_tokens}); reasoning tokens count "
                "against it. Raise gptls.maxOutputTokens or lower gptls.reasoningEffort, then try again."
            )
        elif reason == "content_filter":
            message = "The answer was stopped by OpenAI's content filter; nothing was applied."
        else:
            message = f"The model's answer is incomplete ({reason or 'no reason given'}); nothing was applied."
        super().__init__(message, code=reason, **kw)


class ResponseFailedError(GptlsError):
    def __init__(self, code: str | None, api_message: str | None, **kw: Any) -> None:
        self.retryable = code in {"server_error", "rate_limit_exceeded", "vector_store_timeout"}
        super().__init__(
            f"The model failed to answer ({code or 'unknown error'}): {scrub(api_message or 'no details')}",
            code=code,
            api_message=api_message,
            **kw,
        )


class DeadlineExceededError(APITimeoutError):
    pass


def parse_error_body(text: str) -> dict[str, Any]:
    """The ``error`` object of an error body, or {} when the body is not the API's JSON."""
    try:
        body = json.loads(text)
    except (ValueError, TypeError):
        return {}
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        return dict(body["error"])
    return {}


def from_status(
    status: int,
    body_text: str,
    *,
    request_id: str | None,
    model: str,
    base_url: str,
    retry_after: float | None = None,
) -> APIStatusError:
    """Turn an HTTP error answer into the typed error a user can act on."""
    error = parse_error_body(body_text)
    api_message = str(error.get("message") or "") or _snippet(body_text)
    code = _str_or_none(error.get("code")) or _str_or_none(error.get("type"))
    param = _str_or_none(error.get("param"))
    common: dict[str, Any] = {
        "status": status,
        "request_id": request_id,
        "code": code,
        "param": param,
        "api_message": api_message,
        "retry_after": retry_after,
    }
    said = f" OpenAI said: {scrub(api_message)}" if api_message else ""
    if status == 401:
        return AuthenticationError(
            "OpenAI rejected the API key (401): check OPENAI_API_KEY (or the apiKey setting) and that the "
            f"key's project has access to {model}.",
            **common,
        )
    if status == 403:
        return PermissionDeniedError(
            f"OpenAI refused access (403): check that the key's organization and project may use {model} "
            f"(and that your region is supported).{said}",
            **common,
        )
    if status == 404:
        return NotFoundError(
            f"Not found (404): check the model name ({model}) and OPENAI_BASE_URL ({base_url}), which must "
            f"serve POST /responses.{said}",
            **common,
        )
    if status == 429:
        if code == "insufficient_quota":
            return QuotaExceededError(
                "Your OpenAI quota is used up (429 insufficient_quota): check your plan and billing; "
                "retrying will not help.",
                **common,
            )
        return RateLimitError(
            "Rate limited by OpenAI (429): gptls retried with backoff and gave up; wait a little or lower "
            f"gptls.maxConcurrentCalls.{said}",
            **common,
        )
    if status in (400, 413, 422):
        if code == "context_length_exceeded" or "context length" in api_message.lower() or status == 413:
            return ContextLengthError(ContextLengthError.ADVICE, **common)
        if code in {"unsupported_parameter", "unsupported_value"}:
            return UnsupportedParameterError(
                f"{model} does not accept the parameter {param!r}: remove it from the gptls settings.{said}",
                **common,
            )
        where = f" (parameter {param})" if param else ""
        return BadRequestError(f"OpenAI rejected the request (400){where}.{said}", **common)
    if status >= 500:
        return ServerError(
            f"OpenAI had a server error ({status}); gptls retried and gave up: try again in a moment.{said}",
            **common,
        )
    return APIStatusError(f"Unexpected answer from the API ({status}).{said}", **common)


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _snippet(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat[:limit] + ("..." if len(flat) > limit else "")
