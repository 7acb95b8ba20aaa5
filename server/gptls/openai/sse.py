"""Reading a ``text/event-stream`` body: events as the SSE format defines them, decoded only when gptls uses
them (most of a Responses stream is bookkeeping)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from gptls.openai.api_errors import MalformedResponseError
from gptls.openai.wire import JsonDict
from gptls.timeouts import timeout

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


async def drain(events: AsyncIterator[Any]) -> None:
    """Read what follows the terminal event (the end of the chunked body) so the connection is reused;
    a backend that keeps the stream open gets a second, then its connection is closed."""
    try:
        async with timeout(1.0):
            async for _event in events:
                pass
    except (asyncio.TimeoutError, httpx.HTTPError):
        pass


def event_json(data: str, info: dict[str, Any]) -> JsonDict:
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
