"""Lines and columns as LSP counts them: cheap to import, needed from the first request on.

LSP lines end only at \\n, \\r\\n and \\r; columns are counted in the client's position encoding
(UTF-16 unless the client offered UTF-8). Everything that converts positions uses this module.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lsprotocol import types as lsp

    from gptls.context import Document, Pos, Span

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
        from gptls.context import Pos

        if line < 0:
            return Pos(0, 0)
        if line >= len(doc.lines):
            last = len(doc.lines) - 1
            return Pos(last, len(doc.line(last)))
        return Pos(line, self.column_from_client(doc.line(line), max(character, 0)))

    def span_from_client(self, doc: Document, rng: lsp.Range) -> Span:
        from gptls.context import Span

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
