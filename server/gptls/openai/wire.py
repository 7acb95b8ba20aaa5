"""The Responses API's shapes: what gptls sends and how an answer is read.

Plain data and pure functions: no HTTP here, so every rule (which fields are sent, how text is found,
what counts as an error) is unit-testable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from gptls.config import Settings, takes_sampling_parameters
from gptls.openai.api_errors import (
    IncompleteError,
    MalformedResponseError,
    RefusalError,
    ResponseFailedError,
    from_stream_error,
)

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class JsonSchemaFormat:
    """Structured Outputs: the answer is JSON that matches ``schema``."""

    name: str
    schema: Mapping[str, Any]
    strict: bool = True

    def to_wire(self) -> JsonDict:
        return {"type": "json_schema", "name": self.name, "schema": dict(self.schema), "strict": self.strict}


@dataclass(frozen=True)
class FunctionTool:
    """A function the model may call, in the Responses API's flat form."""

    name: str
    description: str
    parameters: Mapping[str, Any]
    strict: bool = True

    def to_wire(self) -> JsonDict:
        return {
            "type": "function",
            "name": self.name,
            "description": self.description,
            "parameters": dict(self.parameters),
            "strict": self.strict,
        }


@dataclass(frozen=True)
class ResponseRequest:
    """What a caller asks for; the client adds model settings from ``Settings``."""

    input: str | Sequence[JsonDict]
    instructions: str | None = None
    text_format: JsonSchemaFormat | None = None
    tools: tuple[FunctionTool, ...] = ()
    previous_response_id: str | None = None
    include: tuple[str, ...] = ()
    max_output_tokens: int | None = None
    tool_choice: str | None = None  # "none" asks for a final answer without more tool calls


# `gptls check` and the gptls.check command: the smallest call that proves key, model and endpoint work. It
# runs under the user's own maxOutputTokens and effort, so a pass means real actions will not be cut off
# either, and an incomplete answer's advice (raise maxOutputTokens or lower the effort) is the right one.
CONNECTION_CHECK = ResponseRequest(input="Reply with the single word: ok", instructions="You are a connectivity check.")


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    cached_input_tokens: int = 0
    output_tokens: int = 0
    reasoning_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.cached_input_tokens + other.cached_input_tokens,
            self.output_tokens + other.output_tokens,
            self.reasoning_tokens + other.reasoning_tokens,
        )

    @classmethod
    def from_wire(cls, usage: Any) -> Usage:
        if not isinstance(usage, Mapping):
            return cls()
        in_details = usage.get("input_tokens_details") or {}
        out_details = usage.get("output_tokens_details") or {}
        return cls(
            input_tokens=_int(usage.get("input_tokens")),
            cached_input_tokens=_int(in_details.get("cached_tokens") if isinstance(in_details, Mapping) else 0),
            output_tokens=_int(usage.get("output_tokens")),
            reasoning_tokens=_int(out_details.get("reasoning_tokens") if isinstance(out_details, Mapping) else 0),
        )


@dataclass(frozen=True)
class FunctionCall:
    call_id: str
    name: str
    arguments: str

    def parsed_arguments(self) -> JsonDict:
        """The arguments as a dict; ValueError when the model sent something that is not a JSON object."""
        value = json.loads(self.arguments)
        if not isinstance(value, dict):
            raise ValueError("function arguments are not a JSON object")
        return value


@dataclass(frozen=True)
class CallInfo:
    """What the HTTP exchange told us: for logs, `gptls check` and usage."""

    request_id: str | None = None
    status: int | None = None
    latency_ms: float = 0.0
    attempts: int = 1
    ratelimit: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModelResult:
    id: str
    model: str
    text: str
    output: tuple[JsonDict, ...]
    function_calls: tuple[FunctionCall, ...]
    usage: Usage
    info: CallInfo = field(default_factory=CallInfo)

    def with_info(self, info: CallInfo) -> ModelResult:
        return replace(self, info=info)


def build_body(settings: Settings, request: ResponseRequest, *, stream: bool) -> JsonDict:
    """The JSON body of ``POST /responses``. Optional fields are only sent when set."""
    body: JsonDict = {
        "model": settings.model,
        "input": request.input if isinstance(request.input, str) else list(request.input),
        "store": settings.store,
        "reasoning": {"effort": settings.reasoning_effort},
        "text": {"verbosity": settings.verbosity},
        "max_output_tokens": request.max_output_tokens or settings.max_output_tokens,
        "service_tier": settings.service_tier,
    }
    if request.instructions:
        body["instructions"] = request.instructions
    if request.text_format is not None:
        body["text"]["format"] = request.text_format.to_wire()
    if request.tools:
        body["tools"] = [tool.to_wire() for tool in request.tools]
        body["parallel_tool_calls"] = False
        if request.tool_choice:
            body["tool_choice"] = request.tool_choice
    if request.previous_response_id:
        body["previous_response_id"] = request.previous_response_id
    include = list(request.include)
    if request.tools and not settings.store and "reasoning.encrypted_content" not in include:
        include.append("reasoning.encrypted_content")
    if include:
        body["include"] = include
    if settings.prompt_cache_key:
        body["prompt_cache_key"] = settings.prompt_cache_key
    if settings.truncation:
        body["truncation"] = settings.truncation
    # A reasoning model refuses sampling parameters; after a switch to one they are left out, not sent.
    if settings.temperature is not None and takes_sampling_parameters(settings.model):
        body["temperature"] = settings.temperature
    if settings.top_p is not None and takes_sampling_parameters(settings.model):
        body["top_p"] = settings.top_p
    if stream:
        body["stream"] = True
    return body


def parse_response(obj: Any, *, max_output_tokens: int | None = None, model: str = "") -> ModelResult:
    """Read a Response object; refusal, incomplete and failed answers raise their typed errors (a failed
    one classified by its code, like the same error over HTTP)."""
    if not isinstance(obj, Mapping) or not isinstance(obj.get("output", []), list):
        raise MalformedResponseError(
            "The endpoint's answer is not a Responses API object: check that OPENAI_BASE_URL points at an "
            "OpenAI-compatible /v1 endpoint."
        )
    status = obj.get("status")
    if status == "failed" or (status is None and obj.get("error")):
        raise from_stream_error(obj.get("error"), model=model or _str(obj.get("model")) or "the model", request_id=None)
    if status == "incomplete":
        raw_details = obj.get("incomplete_details")
        details: Mapping[str, Any] = raw_details if isinstance(raw_details, Mapping) else {}
        raise IncompleteError(_str(details.get("reason")) or None, obj.get("max_output_tokens") or max_output_tokens)
    if status in ("cancelled", "queued", "in_progress"):
        raise ResponseFailedError(status, f"the response ended in status {status!r}")

    texts: list[str] = []
    refusals: list[str] = []
    calls: list[FunctionCall] = []
    output = [item for item in obj.get("output") or [] if isinstance(item, Mapping)]
    for item in output:
        kind = item.get("type")
        if kind == "message":
            for part in item.get("content") or []:
                if not isinstance(part, Mapping):
                    continue
                if part.get("type") == "output_text":
                    texts.append(_str(part.get("text")))
                elif part.get("type") == "refusal":
                    refusals.append(_str(part.get("refusal")))
        elif kind == "function_call":
            calls.append(
                FunctionCall(
                    call_id=_str(item.get("call_id")),
                    name=_str(item.get("name")),
                    arguments=_str(item.get("arguments")),
                )
            )
    if refusals:
        raise RefusalError(f"The model refused: {' '.join(refusals).strip() or 'no reason given'}")
    return ModelResult(
        id=_str(obj.get("id")),
        model=_str(obj.get("model")),
        text="".join(texts),
        output=tuple(dict(item) for item in output),
        function_calls=tuple(calls),
        usage=Usage.from_wire(obj.get("usage")),
    )


def follow_up(
    request: ResponseRequest,
    result: ModelResult,
    outputs: Sequence[tuple[str, str]],
    *,
    store: bool,
) -> ResponseRequest:
    """The next turn after the model called functions: ``outputs`` are (call_id, output) pairs.

    With ``store`` the provider keeps the conversation, so ``previous_response_id`` is enough; without
    it, the earlier input and every output item (encrypted reasoning included) are sent back.
    """
    answers: list[JsonDict] = [
        {"type": "function_call_output", "call_id": call_id, "output": output} for call_id, output in outputs
    ]
    if store and result.id:
        return replace(request, input=answers, previous_response_id=result.id)
    earlier: list[JsonDict] = (
        [{"role": "user", "content": request.input}] if isinstance(request.input, str) else list(request.input)
    )
    echoed = [_as_input_item(item) for item in result.output]
    return replace(request, input=earlier + echoed + answers, previous_response_id=None)


def _as_input_item(item: JsonDict) -> JsonDict:
    # Output items go back as input unchanged except for fields the input schema does not take.
    if item.get("type") == "function_call":
        return {k: item[k] for k in ("type", "id", "call_id", "name", "arguments", "status") if k in item}
    return dict(item)


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0
