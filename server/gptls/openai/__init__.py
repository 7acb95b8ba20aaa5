"""Talking to the OpenAI Responses API: the client, its typed errors and the wire shapes."""

from gptls.openai.client import ResponsesClient, StreamItem, TextDelta
from gptls.openai.errors import GptlsError
from gptls.openai.wire import (
    FunctionCall,
    FunctionTool,
    JsonSchemaFormat,
    ModelResult,
    ResponseRequest,
    Usage,
    follow_up,
)

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
