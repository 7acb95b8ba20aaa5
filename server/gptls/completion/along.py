"""A suggestion already shown: while the user types what it says, the rest of it is the next suggestion (no
call); once all of it is in the document, it was accepted."""

from __future__ import annotations

from dataclasses import dataclass

from gptls.completion.answer import Insert
from gptls.text import Document, Pos


@dataclass(frozen=True)
class Shown:
    line: int
    char: int
    line_prefix: str  # the cursor line before the cursor, when the suggestion was made
    rest: str  # and after it
    insert: Insert


def typed_since(shown: Shown, doc: Document, pos: Pos) -> str | None:
    """What the user typed since ``shown`` was made, when the cursor moved only by typing on its line (the
    text before it grew, the text after it is unchanged); else None."""
    if pos.line != shown.line or pos.line >= len(doc.lines):
        return None
    line = doc.line(pos.line)
    before, after = line[: pos.char], line[pos.char :]
    if not before.startswith(shown.line_prefix) or after != shown.rest:
        return None
    return before[len(shown.line_prefix) :]


def remainder(shown: Shown, typed: str) -> str | None:
    """The part of the suggestion still to come after ``typed``, or None when the typing left it (or finished
    it: then there is nothing left to suggest)."""
    text = shown.insert.text
    if typed == text or not text.startswith(typed):
        return None
    return text[len(typed) :]


def accepted(shown: Shown, doc: Document, pos: Pos) -> bool:
    """True when the whole suggestion is in the document, ending at the cursor (Tab in the editor)."""
    if shown.line >= len(doc.lines) or pos < Pos(shown.line, 0):
        return False
    inserted = shown.line_prefix + shown.insert.text.replace("\n", doc.newline)
    return doc.text[doc.offset(Pos(shown.line, 0)) : doc.offset(pos)] == inserted
