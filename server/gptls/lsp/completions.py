"""Ghost text at the cursor (``textDocument/inlineCompletion``): the completer decides whether to call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from gptls.lsp.features import FEATURES
from gptls.lsp.jobs import document
from gptls.text import Span

if TYPE_CHECKING:
    from gptls.lsp.server import GptlsServer


@FEATURES.request(lsp.TEXT_DOCUMENT_INLINE_COMPLETION, lsp.InlineCompletionOptions(), what="completions")
async def inline_completion(ls: GptlsServer, params: lsp.InlineCompletionParams) -> lsp.InlineCompletionList | None:
    """Ghost text at the cursor (``textDocument/inlineCompletion``); the completer decides whether to call."""
    from gptls.completion.selected import Selected

    uri = params.text_document.uri
    doc, version = document(ls, uri)
    pos = ls.units.pos_from_client(doc, params.position.line, params.position.character)

    def current_version() -> int | None:
        held = ls.workspace.text_documents.get(uri)
        return None if held is None else held.version

    chosen = params.context.selected_completion_info
    selected = None
    if chosen is not None:
        selected = Selected(ls.units.span_from_client(doc, chosen.range), chosen.text)
    found = await ls.completer.complete(
        doc,
        version,
        pos,
        ls.settings,
        invoked=params.context.trigger_kind == lsp.InlineCompletionTriggerKind.Invoked,
        current_version=current_version,
        selected=selected,
    )
    if found is None:
        return None
    item = lsp.InlineCompletionItem(insert_text=found.text, range=ls.units(doc, Span(found.start, found.end)))
    return lsp.InlineCompletionList(items=[item])
