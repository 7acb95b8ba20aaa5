"""Columns as the client counts them: UTF-16 code units unless the client offered UTF-8 (or UTF-32).

Everything that converts positions between gptls and the editor uses this module; only the conversion to
an LSP ``Range`` touches lsprotocol.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gptls.text.document import Document, Pos, Span

if TYPE_CHECKING:
    from lsprotocol import types as lsp


class ClientUnits:
    """Converts code-point spans to the client's position encoding (utf-16 unless negotiated)."""

    def __init__(self, encoding: str = "utf-16") -> None:
        self.encoding = encoding

    def column_to_client(self, line: str, char: int) -> int:
        if self.encoding == "utf-32":
            return char
        prefix = line[:char]
        if self.encoding == "utf-8":
            return len(prefix.encode("utf-8", "surrogatepass"))
        return len(prefix.encode("utf-16-le", "surrogatepass")) // 2

    def column_from_client(self, line: str, units: int) -> int:
        if self.encoding == "utf-32":
            return min(max(units, 0), len(line))
        width = 1 if self.encoding == "utf-8" else 2
        codec = "utf-8" if self.encoding == "utf-8" else "utf-16-le"
        total = 0
        for index, char in enumerate(line):
            if total >= units * width:
                return index
            total += len(char.encode(codec, "surrogatepass"))
        return len(line)

    def pos_from_client(self, doc: Document, line: int, character: int) -> Pos:
        from gptls.text import Pos

        if line < 0:
            return Pos(0, 0)
        if line >= len(doc.lines):
            last = len(doc.lines) - 1
            return Pos(last, len(doc.line(last)))
        return Pos(line, self.column_from_client(doc.line(line), max(character, 0)))

    def span_from_client(self, doc: Document, rng: lsp.Range) -> Span:
        from gptls.text import Span

        return Span(
            self.pos_from_client(doc, rng.start.line, rng.start.character),
            self.pos_from_client(doc, rng.end.line, rng.end.character),
        )

    def __call__(self, doc: Document, span: Span) -> lsp.Range:
        from lsprotocol import types as lsp

        def convert(pos: Pos) -> lsp.Position:
            pos = doc.clamp(pos)
            return lsp.Position(line=pos.line, character=self.column_to_client(doc.line(pos.line), pos.char))

        return lsp.Range(start=convert(span.start), end=convert(span.end))
