"""Text a model (or a project) wrote, made safe for where it is shown.

The model's answer may have been written by an attacker who put instructions in the file it read. What it
writes is shown as text: in a terminal it must not carry escape sequences (OSC 52 sets the clipboard, others
retitle the window or hide lines); in a Markdown hover it must not become an image the editor fetches, a link,
or HTML. Code spans and fenced code blocks stay code (a renderer shows them literally).
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, and C1 (0x80-0x9f: 0x9b is a one-byte CSI on some terminals); and the
# bidirectional formatting characters, which reorder what is shown (a title or a line that reads otherwise).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CRLF = "\r\n"


def plain(text: str) -> str:
    """``text`` with every control character but newline and tab, and every bidirectional override, made
    visible (``\\x1b``, ``\\u202e``), so no escape sequence or reordering reaches a terminal, a log file or a
    message box. A CR is kept only before LF."""
    if not _CONTROL.search(text):
        return text
    parts = text.split(_CRLF)
    return _CRLF.join(_CONTROL.sub(_visible, part) for part in parts)


def message_text(text: str) -> str:
    """``plain(text)`` for a message box: VS Code turns ``[label](https:…)`` and ``[label](command:…)`` in a
    message into a link that opens a page or runs a command, so a model's note must not carry one: a space
    between ``]`` and ``(`` leaves the text readable and no longer a link."""
    return plain(text).replace("](", "] (")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# A fenced block: a line of 3+ backticks or tildes, up to a closing line of the same (or the end).
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n(.*?)(?:^[ \t]{0,3}\1[ \t]*$|\Z)", re.DOTALL | re.MULTILINE)
# A code span: a run of backticks, text without a newline pair, the same run.
_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
# What Markdown can turn into a link, an image or HTML: brackets, angle brackets, backslashes and backticks
# (outside code), and entity references.
_ACTIVE = re.compile(r"([\\`\[\]<>!&])")
_URL = re.compile(r"\b(?:[a-z][a-z0-9+.-]*://|www\.|mailto:|data:)[^\s]*", re.IGNORECASE)


def markdown_text(text: str) -> str:
    """Markdown that renders as ``text`` reads, with nothing active: no image, link, autolink or HTML can
    come out of it. Code spans and fenced blocks are re-emitted as code (with delimiters gptls chooses), and
    a URL in prose becomes a code span (shown, never fetched or linked)."""
    out: list[str] = []
    position = 0
    for fence in _FENCE.finditer(text):
        out.append(_prose_with_spans(text[position : fence.start()]))
        out.append(code_block(fence.group(2).rstrip("\n")))
        position = fence.end()
    out.append(_prose_with_spans(text[position:]))
    return "".join(out)


def code_block(code: str, language: str = "") -> str:
    """A fenced block that no line of ``code`` can close: the fence is longer than any backtick run in it."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{plain(code)}\n{fence}\n"


def code_span(code: str) -> str:
    """An inline code span holding ``code`` literally (newlines folded: a span is one line)."""
    code = plain(" ".join(code.split("\n")))
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if code.startswith("`") or code.endswith("`") or not code.strip() else ""
    return f"{ticks}{pad}{code}{pad}{ticks}"


def _prose_with_spans(text: str) -> str:
    out: list[str] = []
    position = 0
    for span in _SPAN.finditer(text):
        out.append(_prose(text[position : span.start()]))
        out.append(code_span(span.group(2).strip() if span.group(2).strip() else span.group(2)))
        position = span.end()
    out.append(_prose(text[position:]))
    return "".join(out)


def _prose(text: str) -> str:
    out: list[str] = []
    position = 0
    for url in _URL.finditer(text):
        out.append(_escape(text[position : url.start()]))
        out.append(code_span(url.group(0)))
        position = url.end()
    out.append(_escape(text[position:]))
    return "".join(out)


def _escape(text: str) -> str:
    # A line that starts with 4 spaces or a tab is an indented code block: harmless, kept.
    return _ACTIVE.sub(r"\\\1", plain(text))
