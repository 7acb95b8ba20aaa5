"""Typed errors, each with a one-line message that tells the user what to do.

Modelled on openai-python's hierarchy (APIStatusError -> AuthenticationError, RateLimitError, ...), but
every message here is written for the person at the editor, and every text that came from the network is
scrubbed of anything key-shaped before it is stored.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gptls.errors import GptlsError
from gptls.redaction import scrub


class MissingApiKeyError(GptlsError):
    kind = "no-api-key"

    def __init__(self) -> None:
        super().__init__(
            "No OpenAI API key: set OPENAI_API_KEY in the environment the editor starts gptls in, or apiKey in "
            "gptls' user config file (~/.config/gptls/config.json), then restart gptls. In VS Code: run "
            "'gptls: Set API Key'."
        )


class APIStatusError(GptlsError):
    """The API answered with an error status."""


class AuthenticationError(APIStatusError):
    kind = "bad-api-key"


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ModelNotFoundError(NotFoundError):
    """The endpoint works but does not serve this model to this key (retired, misspelt or no access)."""

    def __init__(self, model: str, **kw: Any) -> None:
        self.model = model
        super().__init__(
            f"OpenAI does not serve {model} to this key (404 model_not_found): it was shut down, is misspelt, or "
            "the key's project has no access. Set gptls.model (--model at the command line) to a model your key "
            "can use.",
            **kw,
        )


class BadRequestError(APIStatusError):
    pass


class ContextLengthError(BadRequestError):
    kind = "context-too-long"
    ADVICE = "Too much text for the model's context window: select less code or lower gptls.contextBudget."


class UnsupportedParameterError(BadRequestError):
    """The model refused a parameter or one of its values; ``supported`` lists what the API said it takes."""

    @property
    def supported(self) -> tuple[str, ...]:
        return supported_values(self.api_message or "")


class RateLimitError(APIStatusError):
    retryable = True
    kind = "rate-limited"


class QuotaExceededError(APIStatusError):
    kind = "quota-exceeded"


class ServerError(APIStatusError):
    retryable = True


class APIConnectionError(GptlsError):
    retryable = True
    kind = "connection"


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


# Error codes that mean the same thing wherever they arrive: an HTTP error body, a stream's `error` frame or
# a `response.failed` event. Branch on these, never on the message text.
RETRYABLE_CODES = frozenset({"server_error", "server_is_overloaded", "slow_down", "vector_store_timeout"})
PARAMETER_CODES = frozenset({"unsupported_parameter", "unsupported_value", "invalid_value"})


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
    code, param, message = _error_fields(parse_error_body(body_text))
    api_message = message or _snippet(body_text)
    common = _common(status, request_id, code, param, api_message, retry_after)
    by_code = _from_code(code, param, api_message, model, common)
    if by_code is not None:
        return by_code
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
            f"Not found (404): check OPENAI_BASE_URL ({base_url}), which must serve POST /responses.{said}",
            **common,
        )
    if status == 429:
        return RateLimitError(
            "Rate limited by OpenAI (429): gptls retried with backoff and gave up; wait a little or lower "
            f"gptls.maxConcurrentCalls.{said}",
            **common,
        )
    if status in (400, 413, 422):
        if "context length" in api_message.lower() or status == 413:
            return ContextLengthError(ContextLengthError.ADVICE, **common)
        where = f" (parameter {param})" if param else ""
        return BadRequestError(f"OpenAI rejected the request (400){where}.{said}", **common)
    if status >= 500:
        return ServerError(
            f"OpenAI had a server error ({status}); gptls retried and gave up: try again in a moment.{said}",
            **common,
        )
    return APIStatusError(f"Unexpected answer from the API ({status}).{said}", **common)


def from_stream_error(error: Any, *, model: str, request_id: str | None, status: int | None = None) -> GptlsError:
    """An error that arrived inside a 200 answer: a stream's ``error`` frame (flat as the spec has it, or
    nested under ``error`` as the wire sends it) or the ``error`` of a ``failed`` response. Classified by
    its code exactly like the same error over HTTP."""
    if isinstance(error, dict) and isinstance(error.get("error"), dict):
        error = error["error"]
    code, param, api_message = _error_fields(error if isinstance(error, dict) else {})
    if code == "error":
        code = None  # the flat frame's own type, not a code
    common = _common(status, request_id, code, param, api_message, None)
    by_code = _from_code(code, param, api_message or "", model, common)
    if by_code is not None:
        return by_code
    return ResponseFailedError(code, api_message, request_id=request_id, param=param)


def _from_code(
    code: str | None, param: str | None, api_message: str, model: str, common: dict[str, Any]
) -> APIStatusError | None:
    said = f" OpenAI said: {scrub(api_message)}" if api_message else ""
    status = common.get("status")
    shown = f" ({status} {code})" if status else f" ({code})"
    if code == "model_not_found" and status in (404, None):
        return ModelNotFoundError(model, **common)  # a 403 with this code is an access problem, not a retirement
    if code == "invalid_api_key":
        return AuthenticationError(
            f"OpenAI rejected the API key{f' ({status})' if status else ''}: check OPENAI_API_KEY (or the apiKey "
            f"setting) and that the key's project has access to {model}.",
            **common,
        )
    if code == "insufficient_quota":
        return QuotaExceededError(
            f"Your OpenAI quota is used up{shown}: check your plan and billing; retrying will not help.",
            **common,
        )
    if code == "context_length_exceeded":
        return ContextLengthError(ContextLengthError.ADVICE, **common)
    if code == "rate_limit_exceeded":
        return RateLimitError(
            f"Rate limited by OpenAI{shown}: gptls retried with backoff and gave up; wait a little or lower "
            f"gptls.maxConcurrentCalls.{said}",
            **common,
        )
    if code in RETRYABLE_CODES:
        return ServerError(
            f"OpenAI had a server error ({status or code}); gptls retried and gave up: try again in a moment.{said}",
            **common,
        )
    if code in PARAMETER_CODES and param:
        setting = SETTING_OF_PARAM.get(param)
        where = f"gptls.{setting}" if setting else f"the parameter {param!r}"
        return UnsupportedParameterError(
            f"{model} does not accept {where} as set: change it in the gptls settings.{said}", **common
        )
    return None


# The request parameter each gptls setting becomes, so a refusal names the setting a user can change.
SETTING_OF_PARAM = {
    "reasoning.effort": "reasoningEffort",
    "reasoning": "reasoningEffort",
    "text.verbosity": "verbosity",
    "verbosity": "verbosity",
    "temperature": "temperature",
    "top_p": "topP",
    "service_tier": "serviceTier",
    "truncation": "truncation",
    "prompt_cache_key": "promptCacheKey",
    "max_output_tokens": "maxOutputTokens",
    "store": "store",
}


def supported_values(api_message: str) -> tuple[str, ...]:
    """The values an ``unsupported_value`` message lists: "... Supported values are: 'low', 'medium', and
    'high'." gives ('low', 'medium', 'high'); () when it lists none."""
    match = re.search(r"[Ss]upported values (?:are|is)\s*:?(.*)", api_message)
    if match is None:
        return ()
    quoted = re.findall(r"['\"`]([^'\"`\s]+)['\"`]", match.group(1))
    return tuple(dict.fromkeys(quoted))


def _error_fields(error: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(code, param, message) of the API's error object; the type stands in for a missing code."""
    code = _str_or_none(error.get("code")) or _str_or_none(error.get("type"))
    return code, _str_or_none(error.get("param")), _str_or_none(error.get("message"))


def _common(
    status: int | None,
    request_id: str | None,
    code: str | None,
    param: str | None,
    api_message: str | None,
    retry_after: float | None,
) -> dict[str, Any]:
    return {
        "status": status,
        "request_id": request_id,
        "code": code,
        "param": param,
        "api_message": api_message,
        "retry_after": retry_after,
    }


def _str_or_none(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _snippet(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat[:limit] + ("..." if len(flat) > limit else "")
