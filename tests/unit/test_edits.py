"""Re-indentation, re-anchoring and position encodings, without an editor."""

from __future__ import annotations

from gptls.text import Document, Pos, Span
from gptls.text.edits import ClientUnits, PlannedEdit, apply_to_text, reindent, relocate

BEFORE = "import os\n\ndef f():\n    ...\n\ndef g():\n    ...\n"


def plan(doc: Document, needle: str, new: str) -> PlannedEdit:
    start = doc.position(doc.text.index(needle))
    end = doc.position(doc.text.index(needle) + len(needle))
    span = Span(start, end)
    return PlannedEdit(span, new, span, needle)


def test_reindent_moves_code_keeping_relative_indentation() -> None:
    code = "def f():\n    if x:\n        return 1\n\n    return 2\n"
    assert reindent(code, "    ") == "    def f():\n        if x:\n            return 1\n\n        return 2"


def test_reindent_dedents_model_output_that_came_indented() -> None:
    assert reindent("        a = 1\n        b = 2", "  ") == "  a = 1\n  b = 2"


def test_reindent_uses_the_document_newline_and_leaves_the_first_line_for_mid_line_starts() -> None:
    assert reindent("a\nb", "    ", newline="\r\n", first_line_indented=False) == "a\r\n    b"


def test_unchanged_document_keeps_the_edit() -> None:
    doc = Document(BEFORE)
    planned = plan(doc, "def f():\n    ...", "def f():\n    return 1")
    assert relocate(planned, doc, Document(BEFORE)) == planned


def test_lines_inserted_above_move_the_edit_down() -> None:
    before = Document(BEFORE)
    planned = plan(before, "def f():\n    ...", "def f():\n    return 1")
    now = Document("import os\nimport sys\nimport re\n" + BEFORE.split("\n", 1)[1])
    moved = relocate(planned, before, now)
    assert moved is not None and moved.span.start == Pos(4, 0)
    assert apply_to_text(now, moved) == now.text.replace("def f():\n    ...", "def f():\n    return 1")


def test_edit_below_the_target_does_not_move_it() -> None:
    before = Document(BEFORE)
    planned = plan(before, "def f():\n    ...", "X")
    now = Document(BEFORE + "\n# appended\n")
    assert relocate(planned, before, now).span == planned.span


def test_typing_inside_the_target_discards_the_edit() -> None:
    before = Document(BEFORE)
    planned = plan(before, "def f():\n    ...", "X")
    now = Document(BEFORE.replace("def f():", "def f(x):"))
    assert relocate(planned, before, now) is None


def test_deleted_target_discards_the_edit() -> None:
    before = Document(BEFORE)
    planned = plan(before, "def g():\n    ...", "X")
    assert relocate(planned, before, Document("import os\n")) is None


def test_identical_twins_are_told_apart_by_their_surroundings() -> None:
    before = Document("a = 1\n    ...\nb = 2\n    ...\nc = 3\n")
    second = before.text.index("    ...", before.text.index("b = 2"))
    span = Span(before.position(second), before.position(second + 7))
    planned = PlannedEdit(span, "    pass", span, "    ...")
    now = Document("# new\na = 1\n    ...\nb = 2\n    ...\nc = 3\n")
    moved = relocate(planned, before, now)
    assert moved is not None and apply_to_text(now, moved) == "# new\na = 1\n    ...\nb = 2\n    pass\nc = 3\n"


def test_ambiguous_twins_are_not_guessed() -> None:
    before = Document("x\n...\nx\n...\n")
    span = Span(Pos(1, 0), Pos(1, 3))
    planned = PlannedEdit(span, "pass", span, "...")
    now = Document("...\n...\n")
    assert relocate(planned, before, now) is None


def test_utf16_and_utf8_columns_after_emoji_and_cjk() -> None:
    line = 'x = "🌍世"; y = 1'
    doc = Document(line)
    char = line.index("y")
    utf16, utf8 = ClientUnits("utf-16"), ClientUnits("utf-8")
    assert utf16.column_to_client(line, char) == char + 1  # the emoji is two UTF-16 units
    assert utf8.column_to_client(line, char) == char + 3 + 2  # 4 bytes for 🌍, 3 for 世
    for units in (utf16, utf8, ClientUnits("utf-32")):
        assert units.column_from_client(line, units.column_to_client(line, char)) == char
        rng = units(doc, Span(Pos(0, char), Pos(0, char + 1)))
        assert units.span_from_client(doc, rng) == Span(Pos(0, char), Pos(0, char + 1))


def test_positions_beyond_the_document_are_clamped() -> None:
    doc = Document("ab\ncd")
    units = ClientUnits("utf-16")
    assert units.pos_from_client(doc, 10, 0) == Pos(1, 2)
    assert units.pos_from_client(doc, 0, 99) == Pos(0, 2)
    assert units.pos_from_client(doc, -1, -1) == Pos(0, 0)
