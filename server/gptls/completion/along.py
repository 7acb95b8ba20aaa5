"""A suggestion already shown, or a call still in flight: while the user types what it says, the rest of it is
the next suggestion (no new call); once all of it is in the document, it was accepted."""

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


@dataclass(frozen=True)
class Asked:
    """Where a completion call was asked: the cursor's line, split at the cursor, and where that line starts."""

    line: int
    line_prefix: str
    rest: str
    line_offset: int

    @classmethod
    def at(cls, doc: Document, pos: Pos) -> Asked:
        line = doc.line(pos.line)
        return cls(pos.line, line[: pos.char], line[pos.char :], doc.offset(Pos(pos.line, 0)))

    @property
    def pos(self) -> Pos:
        return Pos(self.line, len(self.line_prefix))


def typed_since(shown: Shown | Asked, doc: Document, pos: Pos) -> str | None:
    """What the user typed since ``shown`` was made (or the call asked), when the cursor moved only by typing
    on its line (the text before it grew, the text after it is unchanged); else None."""
    if pos.line != shown.line or pos.line >= len(doc.lines):
        return None
    line = doc.line(pos.line)
    before, after = line[: pos.char], line[pos.char :]
    if not before.startswith(shown.line_prefix) or after != shown.rest:
        return None
    if isinstance(shown, Asked) and doc.offset(Pos(pos.line, 0)) != shown.line_offset:
        return None  # the lines above changed: the call's answer was for another text
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
