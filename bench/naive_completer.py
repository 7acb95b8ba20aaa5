"""The naive baseline for ghost text: a bare pygls 2 server that calls the model at every request.

``python -m bench.naive_completer``: stdio LSP. On ``textDocument/inlineCompletion`` it POSTs the file with a
cursor marker (the same shape as gptls' prompt, so the bench's backend can answer both) to
``$OPENAI_BASE_URL/responses`` and returns the answer's first line, or its lines when the cursor's line is
empty. No debounce, no typing along, no cache: what a server that calls at each keystroke costs and shows. A
request the editor cancels cancels its call (pygls cancels the handler, httpx closes the connection).
"""

from __future__ import annotations

import os
from typing import Any

import httpx
from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

server = LanguageServer("naive", "0")
state: dict[str, Any] = {}


@server.feature(lsp.TEXT_DOCUMENT_INLINE_COMPLETION)
async def complete(ls: LanguageServer, params: lsp.InlineCompletionParams) -> lsp.InlineCompletionList | None:
    if "http" not in state:
        state["http"] = httpx.AsyncClient(timeout=60)
    http: httpx.AsyncClient = state["http"]
    document = ls.workspace.get_text_document(params.text_document.uri)
    lines = document.source.split("\n")
    line, char = params.position.line, params.position.character
    before = "\n".join([*lines[:line], lines[line][:char]])
    after = "\n".join([lines[line][char:], *lines[line + 1 :]])
    body = {
        "model": "gpt-5-mini",
        "input": f"<<<file\n{before}<|cursor|>{after}\n>>>file",
        "instructions": "Reply with exactly the text to insert at <|cursor|>.",
        "store": False,
        "reasoning": {"effort": "minimal"},
        "max_output_tokens": 400,
    }
    headers = {"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"}
    reply = await http.post(f"{os.environ['OPENAI_BASE_URL']}/responses", json=body, headers=headers)
    text = "".join(
        part.get("text", "")
        for item in reply.json().get("output", [])
        if item.get("type") == "message"
        for part in item.get("content", [])
    )
    typed = lines[line][:char]
    if typed.strip():
        text = text.split("\n", 1)[0]
    elif text.startswith(typed):
        text = text[len(typed) :]  # the editor already indented the line
    if not text.strip():
        return None
    return lsp.InlineCompletionList(items=[lsp.InlineCompletionItem(insert_text=text)])


if __name__ == "__main__":
    server.start_io()
