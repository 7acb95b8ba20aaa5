"""What an action works on: a function found in the document, and the target an action rewrites or explains."""

from __future__ import annotations

from dataclasses import dataclass

from gptls.text import Span


@dataclass(frozen=True)
class Function:
    """A function or method found in the document."""

    name: str
    start_line: int  # first line, decorators and leading doc comments excluded
    header_line: int  # the line holding the name
    end_line: int  # last line, inclusive
    indent: str
    is_stub: bool


@dataclass(frozen=True)
class Target:
    """What an action rewrites or explains.

    ``span`` is the text the model sees and an edit replaces (or, for an insertion, the empty span where
    code goes); ``anchor`` is the non-empty text that must still be there for an edit to be applied.
    """

    kind: str  # selection | function | stub | comment
    span: Span
    text: str
    anchor: Span
    indent: str
    function: Function | None = None
