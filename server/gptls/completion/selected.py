"""The item selected in the editor's suggest widget (LSP 3.18 ``selectedCompletionInfo``).

VS Code shows ghost text beside an open suggest widget only when it extends the selected item: the answer must
begin with the item's text over the item's range. So the completion is asked for the document as it would be
with the item accepted, and what comes back is the item's text followed by the model's continuation.
"""

from __future__ import annotations

from dataclasses import dataclass

from gptls.text import Document, Pos, Span


@dataclass(frozen=True)
class Selected:
    span: Span  # what the item replaces: on the cursor's line, starting at or before the cursor
    text: str


def usable(selected: Selected, doc: Document, pos: Pos) -> bool:
    """An item gptls can extend: one line of text replacing part of the cursor's line around the cursor."""
    start, end = selected.span.start, selected.span.end
    return (
        start.line == end.line == pos.line < len(doc.lines)
        and start.char <= pos.char <= end.char <= len(doc.line(pos.line))
        and "\n" not in selected.text
        and "\r" not in selected.text
    )


def accepted_view(doc: Document, selected: Selected) -> tuple[Document, Pos]:
    """The document with the item accepted, and the cursor after it."""
    start, end = doc.offset(selected.span.start), doc.offset(selected.span.end)
    text = doc.text[:start] + selected.text + doc.text[end:]
    view = Document(text, doc.language_id, doc.uri)
    return view, Pos(selected.span.start.line, selected.span.start.char + len(selected.text))


def over_item(selected: Selected, doc: Document, continuation: str, replaces_rest: bool) -> tuple[str, Span]:
    """The ghost text as the editor needs it: the item's text and the continuation, over the item's range (or
    to the end of the line when the continuation replaces what followed the cursor)."""
    line = selected.span.start.line
    end = Pos(line, len(doc.line(line))) if replaces_rest else selected.span.end
    return selected.text + continuation, Span(selected.span.start, end)
