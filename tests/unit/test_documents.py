"""Document sync: every incremental change leaves the server's text equal to the editor's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace import PositionCodec

from gptls.lsp.documents import FastTextDocument
from gptls.text import Document, Pos, split_lsp_lines

ALPHABET = st.sampled_from(["a", "b", " ", "\n", "\r", "\r\n", "é", "🌍", "世", "\t", "\x0c", "\u2028", "\x00"])
TEXT = st.lists(ALPHABET, max_size=40).map("".join)
CHANGE = st.tuples(st.integers(0, 8), st.integers(0, 12), st.integers(0, 8), st.integers(0, 12), TEXT)


def lsp_offset(text: str, line: int, utf16: int) -> int:
    """Where an LSP (UTF-16) position falls in ``text``, as a client computes it."""
    lines = split_lsp_lines(text)
    if line >= len(lines):
        return len(text)
    start = sum(len(x) for x in lines[:line])
    content = lines[line].rstrip("\r\n")
    units = 0
    for index, char in enumerate(content):
        if units >= utf16:
            return start + index
        units += 2 if ord(char) > 0xFFFF else 1
    return start + len(content)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.lists(CHANGE, max_size=8))
def test_incremental_changes_match_a_reference_editor(text, changes) -> None:
    codec = PositionCodec(types.PositionEncodingKind.Utf16)
    doc = FastTextDocument("file:///t.txt", source=text, position_codec=codec)
    editor = text
    for l1, c1, l2, c2, new in changes:
        start, end = sorted(((l1, c1), (l2, c2)))
        a, b = lsp_offset(editor, *start), lsp_offset(editor, *end)
        editor = editor[:a] + new + editor[b:]
        doc.apply_change(
            types.TextDocumentContentChangePartial(
                range=types.Range(
                    start=types.Position(line=start[0], character=start[1]),
                    end=types.Position(line=end[0], character=end[1]),
                ),
                text=new,
            )
        )
        assert doc.source == editor


def test_lsp_lines_break_only_at_cr_and_lf() -> None:
    assert split_lsp_lines("a\x0cb\u2028c\rd\r\ne\n") == ["a\x0cb\u2028c\r", "d\r\n", "e\n"]
    doc = Document("x\u2028y\rz\n")
    assert doc.lines == ["x\u2028y", "z", ""]
    assert doc.offset(Pos(1, 1)) == len("x\u2028y\rz") and doc.position(len("x\u2028y\r")) == Pos(1, 0)
