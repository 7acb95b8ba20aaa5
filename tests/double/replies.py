"""What the double answers: scripted replies shaped like the official examples in spec/.

Each helper returns a ``Reply``; the server turns it into JSON or Server-Sent Events depending on whether
the request asked for ``stream: true``, exactly as the real API does.
"""

from __future__ import annotations

import copy
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPEC_DIR = Path(__file__).parent / "spec"
# A gpt-5-mini answer as the wire sends it (shared/openai/examples/synthetic/01-text.response.nonstream.json).
_TEMPLATE = json.loads((SPEC_DIR / "01-text.response.json").read_text())
_ids = itertools.count(1)


def _id(prefix: str) -> str:
    return f"{prefix}_{next(_ids):08d}{int(time.time() * 1000):x}"


@dataclass
class Reply:
    """One scripted answer. ``output`` items and ``status`` build a Response object."""

    status_code: int = 200
    output: list[dict[str, Any]] = field(default_factory=list)
    response_status: str = "completed"
    incomplete_reason: str | None = None
    response_error: dict[str, Any] | None = None
    error_body: dict[str, Any] | None = None
    raw_body: bytes | None = None
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between body pieces / stream events
    hang: bool = False  # never answer (until the client goes away)
    reset: bool = False  # close the connection with a TCP reset instead of answering
    cut_after_events: int | None = None  # stream: send this many events, then drop the connection
    cut_after_bytes: int | None = None  # JSON: send this many body bytes, then drop the connection
    stream_error: dict[str, Any] | None = None  # stream: an `error` event instead of a terminal one
    failed_after_error: bool = False  # stream: `response.failed` follows the `error` event, as live traffic does
    ignore_stream: bool = False  # answer JSON even when the request asked for a stream
    usage: dict[str, Any] | None = None
    text_chunks: list[str] | None = None  # how output text is split into deltas
    gate: threading.Event | None = None  # answer only once the test sets this (or the client hangs up)
    cached_tokens: int = 0  # prompt tokens served from OpenAI's prompt cache (the double works it out)

    def then(self, **changes: Any) -> Reply:
        clone = copy.copy(self)
        for key, value in changes.items():
            setattr(clone, key, value)
        return clone


Responder = Callable[[Any], Reply]


def message(text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": _id("msg"),
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def reasoning_item() -> dict[str, Any]:
    return {"type": "reasoning", "id": _id("rs"), "summary": [], "encrypted_content": "gAAAAB" + "x" * 40}


def text(value: str, **kw: Any) -> Reply:
    return Reply(output=[reasoning_item(), message(value)], **kw)


def json_output(obj: Any, **kw: Any) -> Reply:
    return text(json.dumps(obj), **kw)


def function_call(name: str, arguments: dict[str, Any] | str, call_id: str | None = None, **kw: Any) -> Reply:
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    item = {
        "type": "function_call",
        "id": _id("fc"),
        "call_id": call_id or _id("call"),
        "name": name,
        "arguments": args,
        "status": "completed",
    }
    return Reply(output=[reasoning_item(), item], **kw)


def refusal(reason: str = "I'm sorry, I can't help with that.") -> Reply:
    return Reply(
        output=[
            {
                "type": "message",
                "id": _id("msg"),
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "refusal", "refusal": reason}],
            }
        ]
    )


def incomplete(reason: str = "max_output_tokens", partial: str | None = None) -> Reply:
    output: list[dict[str, Any]] = [reasoning_item()]
    if partial is not None:
        output.append(message(partial))
    return Reply(output=output, response_status="incomplete", incomplete_reason=reason)


def failed(code: str = "server_error", message_text: str = "The server had an error.") -> Reply:
    return Reply(response_status="failed", response_error={"code": code, "message": message_text})


def midstream_error(
    code: str, message_text: str, *, type_: str | None = None, param: str | None = None, then_failed: bool = True
) -> Reply:
    """A 200 whose stream ends in an ``error`` frame nested as live traffic sends it (shared/openai/examples/
    synthetic/06*), then ``response.failed``; asked without streaming, the same failure as a failed Response."""
    return Reply(
        response_status="failed",
        response_error={"code": code, "message": message_text},
        stream_error={"error": {"type": type_ or code, "code": code, "message": message_text, "param": param}},
        failed_after_error=then_failed,
    )


def error(
    status: int,
    message_text: str,
    *,
    type_: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    return Reply(
        status_code=status,
        error_body={"error": {"message": message_text, "type": type_, "param": param, "code": code}},
        headers=headers or {},
    )


def invalid_api_key(shown_key: str = "sk-abc***xyz") -> Reply:
    return error(
        401,
        f"Incorrect API key provided: {shown_key}. You can find your API key at "
        "https://platform.openai.com/account/api-keys.",
        code="invalid_api_key",
    )


def permission_denied() -> Reply:
    return error(
        403, "Project does not have access to model gpt-5-mini", code="model_not_found", type_="invalid_request_error"
    )


def not_found(model: str = "gpt-5-mini-typo") -> Reply:
    return error(404, f"The model `{model}` does not exist or you do not have access to it.", code="model_not_found")


def unsupported_value(param: str, value: Any, model: str, supported: list[str]) -> Reply:
    """The API's answer to a value this model refuses (shared/openai/examples/synthetic/05-error-400-*)."""
    listed = ", ".join(f"'{v}'" for v in supported[:-1]) + f", and '{supported[-1]}'"
    return error(
        400,
        f"Unsupported value: '{value}' is not supported with the '{model}' model. Supported values are: {listed}.",
        code="unsupported_value",
        param=param,
    )


def temperature_refused(param: str, value: Any) -> Reply:
    return error(
        400,
        f"Unsupported value: '{param}' does not support {value} with this model. Only the default (1) value is "
        "supported.",
        code="unsupported_value",
        param=param,
    )


def rate_limited(
    retry_after_ms: int | None = 20, retry_after: str | None = None, extra: dict[str, str] | None = None
) -> Reply:
    headers = {"x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "20ms"}
    if retry_after_ms is not None:
        headers["retry-after-ms"] = str(retry_after_ms)
    if retry_after is not None:
        headers["retry-after"] = retry_after
    headers.update(extra or {})
    return error(
        429,
        "Rate limit reached for gpt-5-mini in organization org-123 on requests per min (RPM): Limit 3, "
        "Used 3, Requested 1. Please try again in 20ms.",
        type_="requests",
        code="rate_limit_exceeded",
        headers=headers,
    )


def insufficient_quota() -> Reply:
    return error(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        type_="insufficient_quota",
        code="insufficient_quota",
    )


def context_too_long() -> Reply:
    return error(
        400,
        "Your input exceeds the context window of this model. Please adjust your input and try again.",
        code="context_length_exceeded",
        param="input",
    )


def unsupported_parameter(param: str = "temperature") -> Reply:
    return error(
        400,
        f"Unsupported parameter: '{param}' is not supported with this model.",
        code="unsupported_parameter",
        param=param,
    )


def server_error(status: int = 500) -> Reply:
    messages = {
        500: "The server had an error while processing your request.",
        502: "Bad gateway.",
        503: "The engine is currently overloaded, please try again later.",
        504: "Gateway timeout.",
    }
    return error(status, messages.get(status, "Server error."), type_="server_error", code=None)


def html_page(status: int = 502) -> Reply:
    page = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
    return Reply(status_code=status, raw_body=page, content_type="text/html")


def garbage(body: bytes = b"\x00\x9f{not json", status: int = 200, content_type: str = "application/json") -> Reply:
    return Reply(status_code=status, raw_body=body, content_type=content_type)


def hang() -> Reply:
    return Reply(hang=True)


def reset() -> Reply:
    return Reply(reset=True)


def response_object(reply: Reply, request: dict[str, Any]) -> dict[str, Any]:
    """A full Response object for ``reply``, shaped like the official example."""
    obj = copy.deepcopy(_TEMPLATE)
    text_out = "".join(
        part.get("text", "")
        for item in reply.output
        if item.get("type") == "message"
        for part in item.get("content", [])
    )
    input_size = len(json.dumps(request.get("input", ""))) + len(request.get("instructions") or "")
    usage = reply.usage or {
        "input_tokens": max(1, input_size // 4),
        "input_tokens_details": {"cached_tokens": min(reply.cached_tokens, max(1, input_size // 4))},
        "output_tokens": max(1, len(text_out) // 4) + 16,
        "output_tokens_details": {"reasoning_tokens": 16},
        "total_tokens": 0,
    }
    usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
    obj.update(
        id=_id("resp"),
        created_at=int(time.time()),
        completed_at=int(time.time()) if reply.response_status == "completed" else None,
        status=reply.response_status,
        model=request.get("model", "gpt-5-mini"),
        output=copy.deepcopy(reply.output),
        instructions=request.get("instructions"),
        max_output_tokens=request.get("max_output_tokens"),
        previous_response_id=request.get("previous_response_id"),
        store=request.get("store", True),
        reasoning={"effort": (request.get("reasoning") or {}).get("effort"), "summary": None},
        service_tier="default" if request.get("service_tier", "auto") == "auto" else request.get("service_tier"),
        text=request.get("text") or {"format": {"type": "text"}},
        tools=request.get("tools", []),
        usage=usage,
        error=reply.response_error,
        incomplete_details={"reason": reply.incomplete_reason} if reply.incomplete_reason else None,
    )
    return obj


def stream_events(reply: Reply, request: dict[str, Any]) -> list[dict[str, Any]]:
    """The Server-Sent Events for ``reply``, in the order of the official streaming example."""
    final = response_object(reply, request)
    pending = dict(final, status="in_progress", output=[], usage=None, completed_at=None)
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": pending},
        {"type": "response.in_progress", "response": pending},
    ]
    for index, item in enumerate(final["output"]):
        added = dict(item, status="in_progress")
        if item["type"] == "message":
            added["content"] = []
        if item["type"] == "function_call":
            added["arguments"] = ""
        events.append({"type": "response.output_item.added", "output_index": index, "item": added})
        if item["type"] == "message":
            for c_index, part in enumerate(item["content"]):
                kind = part["type"]
                empty = (
                    {"type": kind, "text": "", "annotations": []}
                    if kind == "output_text"
                    else {"type": kind, "refusal": ""}
                )
                events.append(
                    {
                        "type": "response.content_part.added",
                        "item_id": item["id"],
                        "output_index": index,
                        "content_index": c_index,
                        "part": empty,
                    }
                )
                whole = part.get("text") if kind == "output_text" else part.get("refusal")
                prefix = "response.output_text" if kind == "output_text" else "response.refusal"
                for chunk in reply.text_chunks or _chunks(whole or ""):
                    events.append(
                        {
                            "type": f"{prefix}.delta",
                            "item_id": item["id"],
                            "output_index": index,
                            "content_index": c_index,
                            "delta": chunk,
                        }
                    )
                done_key = "text" if kind == "output_text" else "refusal"
                events.append(
                    {
                        "type": f"{prefix}.done",
                        "item_id": item["id"],
                        "output_index": index,
                        "content_index": c_index,
                        done_key: whole,
                    }
                )
                events.append(
                    {
                        "type": "response.content_part.done",
                        "item_id": item["id"],
                        "output_index": index,
                        "content_index": c_index,
                        "part": part,
                    }
                )
        elif item["type"] == "function_call":
            events.append(
                {
                    "type": "response.function_call_arguments.delta",
                    "item_id": item["id"],
                    "output_index": index,
                    "delta": item["arguments"],
                }
            )
            events.append(
                {
                    "type": "response.function_call_arguments.done",
                    "item_id": item["id"],
                    "output_index": index,
                    "arguments": item["arguments"],
                }
            )
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
    if reply.stream_error is not None:
        events.append({"type": "error", **reply.stream_error})
        if reply.failed_after_error:
            events.append({"type": "response.failed", "response": final})
    else:
        terminal = {
            "completed": "response.completed",
            "incomplete": "response.incomplete",
            "failed": "response.failed",
        }.get(final["status"], "response.completed")
        events.append({"type": terminal, "response": final})
    for number, event in enumerate(events):
        event["sequence_number"] = number
    return events


def _chunks(text_value: str, size: int = 12) -> list[str]:
    return [text_value[i : i + size] for i in range(0, len(text_value), size)] or []
