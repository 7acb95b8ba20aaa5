"""The completion answer made safe to insert, typing along a shown suggestion, and today's cost kept across
sessions."""

from __future__ import annotations

from pathlib import Path

from gptls.completion.along import Shown, accepted, remainder, typed_since
from gptls.completion.answer import Insert, clean, multiline_wanted
from gptls.openai.wire import Usage
from gptls.text import Document, Pos
from gptls.usage import UsageLedger

PRICES = {"gpt-5-mini": (0.25, 0.025, 2.0)}


def test_fences_marker_and_prose_are_removed_or_refused() -> None:
    assert clean("```python\nx + 1\n```", "    return ", "", []) == Insert("x + 1")
    assert clean("x + 1<|cursor|>", "    return ", "", []) == Insert("x + 1")
    assert clean("Sure! Here it is: x + 1", "    return ", "", []) is None
    assert clean("   \n", "    return ", "", []) is None


def test_a_line_the_model_wrote_again_from_its_start_is_not_repeated() -> None:
    assert clean("return x + 1", "    return ", "", []) == Insert("x + 1")


def test_one_line_unless_the_position_opens_a_block() -> None:
    assert clean("a\nb", "    x = ", "", []) == Insert("a")
    assert multiline_wanted("    ", "") and multiline_wanted("def f(x):", "") and multiline_wanted("if (a) {", "")
    assert not multiline_wanted("    x = ", "") and not multiline_wanted("    ", ")")


def test_text_after_the_cursor_is_never_repeated() -> None:
    assert clean('"hi")', "    print(", ")", []) == Insert('"hi"')
    assert clean(")", "    print(", ")", []) is None
    assert clean("x > 0) {", "  if (", ")", []) == Insert("x > 0) {", replaces_rest=True)
    block = clean("a = 1\n    return a\n\ndef g():\n    pass", "    ", "", ["", "def g():", "    pass"])
    assert block == Insert("a = 1\n    return a")


def test_typing_along_and_acceptance() -> None:
    shown = Shown(1, 11, "    return ", "", Insert("width * height"))
    doc = Document("def f():\n    return wid\n")
    assert typed_since(shown, doc, Pos(1, 14)) == "wid"
    assert remainder(shown, "wid") == "th * height"
    assert remainder(shown, "x") is None and remainder(shown, "width * height") is None
    assert typed_since(shown, Document("def f():\n    return wid)\n"), Pos(1, 14)) is None  # the rest changed
    assert accepted(shown, Document("def f():\n    return width * height\n"), Pos(1, 25))
    multi = Shown(1, 4, "    ", "", Insert("a = 1\n    return a"))
    assert accepted(multi, Document("def f():\n    a = 1\n    return a\n"), Pos(2, 12))
    assert not accepted(multi, Document("def f():\n    a = 1\n"), Pos(1, 9))


def test_todays_cost_is_kept_across_sessions_and_counted_per_kind(tmp_path: Path) -> None:
    first = UsageLedger(str(tmp_path), today=lambda: "2026-12-02")
    cost = first.record("gpt-5-mini", Usage(1000, 0, 100), PRICES, "completions")
    first.record("gpt-5-mini", Usage(1000, 1000, 100), PRICES, "hovers")
    assert first.by_kind["completions"].calls == 1 and first.by_kind["hovers"].calls == 1
    first.save()
    second = UsageLedger(str(tmp_path), today=lambda: "2026-12-02")
    assert abs(second.today_usd() - first.today_usd()) < 1e-9 and second.today_usd() > cost
    second.record("gpt-5-mini", Usage(1000, 0, 100), PRICES, "actions")
    second.save()
    assert abs(UsageLedger(str(tmp_path), today=lambda: "2026-12-02").today_usd() - 3 * cost + 0.000225) < 1e-9
    assert UsageLedger(str(tmp_path), today=lambda: "2026-12-03").today_usd() == 0.0
    (tmp_path / "usage.json").write_text("not json")
    assert UsageLedger(str(tmp_path), today=lambda: "2026-12-02").today_usd() == 0.0


def test_a_repositorys_instruction_comment_cannot_disguise_the_action_title() -> None:
    # The title is what the user reads before picking the action: escapes, bidi controls and line breaks
    # written into the comment are shown as what they are, never acted on by the editor or terminal.
    from gptls.actions.instruct import title, visible

    hostile = "make this async\x1b]8;;http://evil.example\x07 \u202eeciffo\u202c\r\nrm -rf ~"
    shown = title(visible(hostile))  # as instruction_at reads it from the file
    assert "\x1b" not in shown and "\x07" not in shown and "\r" not in shown and "\n" not in shown
    assert "\u202e" not in shown, "the right-to-left override is removed, not obeyed"
    assert "\u202e" not in title(hostile) and "\\u202e" in title("x\u202ey"), "title() alone shows it, too"
    assert shown.startswith("gptls: Edit as instructed: make this async")
