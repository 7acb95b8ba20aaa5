"""Hover on a function's name: its complexity explained (or a settings-defined action's explanation of it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types as lsp

from gptls.exclusion import is_excluded, looks_binary
from gptls.lsp.features import FEATURES
from gptls.lsp.jobs import document, run_job
from gptls.text import Pos, Span
from gptls.text.shown import plain

if TYPE_CHECKING:
    from gptls.actions import Outcome
    from gptls.lsp.server import GptlsServer


@FEATURES.request(lsp.TEXT_DOCUMENT_HOVER, what="hover")
async def hover(ls: GptlsServer, params: lsp.HoverParams) -> lsp.Hover | None:
    from gptls.actions import TextResult
    from gptls.actions import explain as explain_action
    from gptls.pipeline import Job
    from gptls.targets import find_function, function_target

    mode = ls.settings.hover
    if mode == "off":
        return None
    uri = params.text_document.uri
    doc, _version = document(ls, uri)
    if is_excluded(uri, ls.settings.exclude, doc.memo) or looks_binary(doc.text):
        return None
    pos = ls.units.pos_from_client(doc, params.position.line, params.position.character)
    function = find_function(doc, pos.line)
    if function is None or pos.line != function.header_line:
        return None
    line = doc.line(function.header_line)
    name_at = _word_at(line, pos.char)
    if name_at is None or line[name_at[0] : name_at[1]] != function.name:
        return None
    job = Job(explain_action.ACTION, doc, function_target(doc, function), kind="hovers")
    remembered = ls.explanations.get((uri, function.name))
    if remembered is not None and remembered[0] == job.target.text:
        outcome: Outcome | None = remembered[1]
    elif mode == "cached" or ls.pipeline.paused_by_budget(ls.settings):
        outcome = ls.pipeline.cached(job, ls.settings)
    else:
        # The editor shows its own loading state for a hover: progress only if it asked (workDoneToken).
        outcome = await run_job(ls, job, params.work_done_token, server_progress=False)
    if not isinstance(outcome, TextResult):
        return None
    name_span = Span(Pos(function.header_line, name_at[0]), Pos(function.header_line, name_at[1]))
    if _prefers_plain_hovers(ls):
        contents = lsp.MarkupContent(kind=lsp.MarkupKind.PlainText, value=plain(outcome.plain))
    else:
        contents = lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=outcome.markdown)
    return lsp.Hover(contents=contents, range=ls.units(doc, name_span))


def _prefers_plain_hovers(ls: GptlsServer) -> bool:
    """The client lists plain text first (or does not list Markdown): it gets the model's words as text."""
    document = ls.client_capabilities.text_document
    formats = list(document.hover.content_format or []) if document and document.hover else []
    return bool(formats) and (formats[0] == lsp.MarkupKind.PlainText or lsp.MarkupKind.Markdown not in formats)


def _word_at(line: str, char: int) -> tuple[int, int] | None:
    def is_word(c: str) -> bool:
        return c.isalnum() or c in "_$"

    if not line:
        return None
    start = min(char, len(line))
    if start == len(line) or not is_word(line[start]):
        if start > 0 and is_word(line[start - 1]):
            start -= 1
        else:
            return None
    end = start
    while start > 0 and is_word(line[start - 1]):
        start -= 1
    while end < len(line) and is_word(line[end]):
        end += 1
    return start, end
