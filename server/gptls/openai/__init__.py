"""Talking to the OpenAI Responses API: the client, its typed errors and the wire shapes.

The client (and httpx with it) is imported on first use, not at start-up: the language server answers
``initialize`` before it ever needs HTTP.
"""

from typing import TYPE_CHECKING, Any

from gptls.errors import GptlsError
from gptls.openai.wire import (
    FunctionCall,
    FunctionTool,
    JsonSchemaFormat,
    ModelResult,
    ResponseRequest,
    Usage,
    follow_up,
)

if TYPE_CHECKING:
    from gptls.openai.client import ResponsesClient, StreamItem, TextDelta


def __getattr__(name: str) -> Any:
    if name in {"ResponsesClient", "StreamItem", "TextDelta"}:
        from gptls.openai import client

        return getattr(client, name)
    raise AttributeError(name)


__all__ = [
    "FunctionCall",
    "FunctionTool",
    "GptlsError",
    "JsonSchemaFormat",
    "ModelResult",
    "ResponseRequest",
    "ResponsesClient",
    "StreamItem",
    "TextDelta",
    "Usage",
    "follow_up",
]
