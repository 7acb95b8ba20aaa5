"""The floor for gptls' hover cost: a bare pygls 2 server whose hover makes the same streamed httpx call.

``python -m bench.bare_server``: stdio LSP. On hover it reads the line under the cursor, POSTs a Structured
Outputs request with ``stream: true`` to ``$OPENAI_BASE_URL/responses``, parses every event as JSON, joins the
text deltas and returns them as the hover. No settings, no cache, no progress, no checks: what any pygls
server doing this call must pay.
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx
from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare", "0")
state: dict[str, Any] = {}
SCHEMA = {
    "type": "object",
    "properties": {k: {"type": "string"} for k in ("time", "space", "explanation")},
    "required": ["time", "space", "explanation"],
    "additionalProperties": False,
}


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
async def hover(ls: LanguageServer, params: lsp.HoverParams) -> lsp.Hover | None:
    if "http" not in state:  # one client for the process, as gptls has
        state["http"] = httpx.AsyncClient(limits=httpx.Limits(max_connections=100, max_keepalive_connections=64))
    http: httpx.AsyncClient = state["http"]
    document = ls.workspace.get_text_document(params.text_document.uri)
    line = document.lines[params.position.line]
    body = {
        "model": "gpt-5-mini",
        "input": line,
        "store": False,
        "stream": True,
        "text": {"format": {"type": "json_schema", "name": "x", "strict": True, "schema": SCHEMA}},
    }
    headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
    parts: list[str] = []
    async with http.stream("POST", f"{os.environ['OPENAI_BASE_URL']}/responses", json=body, headers=headers) as reply:
        async for raw in reply.aiter_lines():
            if raw.startswith("data: "):
                event = json.loads(raw[6:])
                if event.get("type") == "response.output_text.delta":
                    parts.append(event["delta"])
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value="".join(parts)))


if __name__ == "__main__":
    server.start_io()
