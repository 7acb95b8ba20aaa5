"""The document model: a text split once into lines as LSP counts them, and positions and spans in it.

Positions here are (line, character) in Unicode code points, 0-based; ``text/positions.py`` converts from and
to the client's position encoding. LSP lines end only at \\n, \\r\\n and \\r.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

_EXOTIC_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_LSP_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")


def split_lsp_lines(text: str) -> list[str]:
    """Lines with their endings, split where LSP splits: only at \\n, \\r\\n and \\r.

    (``str.splitlines`` also splits at form feeds, \\u2028 and others, which would shift every position
    after them.) A text ending with a line break has no empty last element, like ``splitlines``.
    """
    if not _EXOTIC_BREAKS.search(text):
        return text.splitlines(True)
    lines = _LSP_LINE.findall(text)
    rest = text[sum(len(line) for line in lines) :]
    return [*lines, rest] if rest else lines


@dataclass(frozen=True, order=True)
class Pos:
    line: int
    char: int


@dataclass(frozen=True)
class Span:
    start: Pos
    end: Pos

    @property
    def empty(self) -> bool:
        return self.start == self.end


class Document:
    """A snapshot of a document's text, split once into LSP lines."""

    def __init__(self, text: str, language_id: str = "plaintext", uri: str = "untitled:") -> None:
        self.text = text
        self.language_id = language_id or "plaintext"
        self.uri = uri
        with_ends = split_lsp_lines(text)
        if not with_ends or with_ends[-1].endswith(("\n", "\r")):
            with_ends.append("")  # the empty line after a final line break is a position too
        self.starts = [0, *accumulate(len(line) for line in with_ends)]
        self.lines = [line.rstrip("\r\n") for line in with_ends]
        self.newline = "\r\n" if "\r\n" in text else "\n"
        # What other modules work out from this text once (e.g. the lines file_context.py may quote).
        self.memo: dict[str, Any] = {}

    def line(self, index: int) -> str:
        """Line ``index`` without its line ending."""
        return self.lines[index]

    def clamp(self, pos: Pos) -> Pos:
        """A position inside the document, whatever the client sent."""
        line = min(max(pos.line, 0), len(self.lines) - 1)
        char = min(max(pos.char, 0), len(self.lines[line]))
        return Pos(line, char)

    def offset(self, pos: Pos) -> int:
        pos = self.clamp(pos)
        return self.starts[pos.line] + pos.char

    def position(self, offset: int) -> Pos:
        offset = min(max(offset, 0), len(self.text))
        line = bisect_right(self.starts, offset) - 1
        return self.clamp(Pos(min(line, len(self.lines) - 1), offset - self.starts[line]))

    def slice(self, span: Span) -> str:
        return self.text[self.offset(span.start) : self.offset(span.end)]

    def full_lines(self, first: int, last: int) -> Span:
        return Span(Pos(first, 0), Pos(last, len(self.line(last))))

    @property
    def is_python(self) -> bool:
        return self.language_id in {"python", "py"} or self.uri.endswith((".py", ".pyi"))
