"""Turn an answer into an edit that lands exactly where it should, or into no edit at all.

Re-indentation, re-anchoring after the user typed while the model worked, and (last) the conversion to
LSP types. Only ``to_workspace_edit`` knows about lsprotocol.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gptls.text import Document, Span
from gptls.text.positions import ClientUnits
from gptls.text.shown import REVIEW_NOTE_PREFIX, message_text

if TYPE_CHECKING:
    from lsprotocol import types as lsp


REVIEW = "gptls-review"


@dataclass(frozen=True)
class PlannedEdit:
    """Replace ``span`` of the document as it was (``anchor`` must still read ``anchor_text``)."""

    span: Span
    new_text: str
    anchor: Span
    anchor_text: str


def reindent(code: str, indent: str, *, newline: str = "\n", first_line_indented: bool = True) -> str:
    """``code`` moved to ``indent``, relative indentation kept, with the document's line endings."""
    lines = textwrap.dedent(code.replace("\r\n", "\n")).strip("\n").split("\n")
    out = []
    for number, line in enumerate(lines):
        if not line.strip():
            out.append("")
        elif number == 0 and not first_line_indented:
            out.append(line)
        else:
            out.append(indent + line)
    return newline.join(line.rstrip() for line in out)


def relocate(planned: PlannedEdit, before: Document, now: Document) -> PlannedEdit | None:
    """Where ``planned`` belongs in ``now``, the document after the user's typing; None when nowhere.

    The anchor text must still be there, unchanged. When it occurs more than once, the occurrence
    whose surroundings match the original is taken; if that is still ambiguous, nothing is applied.
    """
    if before.text == now.text:
        return planned
    anchor_start = before.offset(planned.anchor.start)
    candidates = _occurrences(now.text, planned.anchor_text)
    if not candidates:
        return None
    if len(candidates) > 1:
        candidates = _best_by_surroundings(before.text, anchor_start, len(planned.anchor_text), now.text, candidates)
        if len(candidates) != 1:
            return None
    shift_start = candidates[0] - anchor_start
    span_start = before.offset(planned.span.start) + shift_start
    span_end = before.offset(planned.span.end) + shift_start
    new_anchor = Span(now.position(candidates[0]), now.position(candidates[0] + len(planned.anchor_text)))
    return PlannedEdit(
        Span(now.position(span_start), now.position(span_end)), planned.new_text, new_anchor, planned.anchor_text
    )


def _occurrences(text: str, needle: str) -> list[int]:
    found: list[int] = []
    start = text.find(needle)
    while start != -1 and len(found) < 1000:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


def _best_by_surroundings(old: str, start: int, length: int, new: str, candidates: list[int]) -> list[int]:
    def score(candidate: int) -> int:
        matched = 0
        while matched < 2000:
            a, b = start - matched - 1, candidate - matched - 1
            if a < 0 or b < 0 or old[a] != new[b]:
                break
            matched += 1
        after = 0
        while after < 2000:
            a, b = start + length + after, candidate + length + after
            if a >= len(old) or b >= len(new) or old[a] != new[b]:
                break
            after += 1
        return matched + after

    # The winner must be clearly better than the runner-up: a few matching characters are luck.
    ranked = sorted(((score(c), c) for c in candidates), reverse=True)
    if ranked[0][0] - ranked[1][0] < 8:
        return []
    return [ranked[0][1]]


def apply_to_text(doc: Document, planned: PlannedEdit) -> str:
    """The document text with the edit applied (for `gptls run` and for tests)."""
    start, end = doc.offset(planned.span.start), doc.offset(planned.span.end)
    return doc.text[:start] + planned.new_text + doc.text[end:]


def to_workspace_edit(
    uri: str,
    version: int | None,
    doc: Document,
    planned: PlannedEdit,
    *,
    document_changes: bool,
    to_client: ClientUnits,
    review: str | None = None,
    note: str = "",
) -> lsp.WorkspaceEdit:
    """A WorkspaceEdit naming the document version when the client supports ``documentChanges``. With
    ``review`` (a label), the edit carries a change annotation that needs confirmation, described by the
    model's ``note`` (what it says it changed): the editor shows it for review instead of applying it."""
    from lsprotocol import types as lsp

    edit: lsp.TextEdit | lsp.AnnotatedTextEdit = lsp.TextEdit(
        range=to_client(doc, planned.span), new_text=planned.new_text
    )
    if document_changes:
        annotations = None
        if review:
            edit = lsp.AnnotatedTextEdit(range=edit.range, new_text=edit.new_text, annotation_id=REVIEW)
            annotations = {
                REVIEW: lsp.ChangeAnnotation(
                    label=message_text(review), needs_confirmation=True, description=_described(note)
                )
            }
        return lsp.WorkspaceEdit(
            document_changes=[
                lsp.TextDocumentEdit(
                    text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=[edit],
                )
            ],
            change_annotations=annotations,
        )
    return lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(range=edit.range, new_text=edit.new_text)]})


def _described(note: str) -> str:
    """The annotation's description: the model's note as plain text (an editor shows it), kept short."""
    said = " ".join(message_text(note).split())
    if len(said) > 300:
        said = said[:299] + "…"
    return f"{REVIEW_NOTE_PREFIX}{said}".strip()
