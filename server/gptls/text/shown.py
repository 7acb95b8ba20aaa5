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
# A reviewed edit's change annotation describes it as this prefix, then the model's note: the VS Code review
# shows the note alone (gptls/lsp/protocol.py shares it with the extension), other clients the whole.
REVIEW_NOTE_PREFIX = "Written by a model: review it before applying. "


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


# A fenced block the model wrote: a line of 3+ backticks or tildes, up to a closing line of the same (or the end).
_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})[^\n]*\n(.*?)(?:^[ \t]{0,3}\1[ \t]*$|\Z)", re.DOTALL | re.MULTILINE)
# What prose may not hold unescaped, by what it could start: a link, image, reference, autolink, HTML or entity
# (`[ ] ! < > &`), a code span or an escape (backtick, backslash), a table cell (`|`), emphasis or a heading
# (`* _ ~ #`); and, so that no linkifier finds a URL, host or address in a run of text, every `@`, and every `:`
# and `.` that is not followed by a blank (which leaves "O(n). Time: fine." as it reads). Each is escaped with a
# backslash, which CommonMark shows as the character itself.
_SYNTAX = re.compile(r"([\\`\[\]!<>&|*_~#@{}]|[:.](?=\S))")


def markdown_text(text: str) -> str:
    """Markdown that shows ``text`` as it reads, with nothing active in any renderer: no image, link, autolink
    or HTML can come out of it, whatever it holds.

    Inert by construction, not by a list of tricks: prose has every character that could start markup escaped
    (so ``|`` cannot split a table cell, ``[`` cannot open a link, ``&`` cannot start an entity, and no URL or
    host is left for a linkifier), and the model's
    fenced blocks are re-emitted as code blocks with a fence gptls chooses, longer than any backtick run inside.
    The model's inline code spans are shown as the backticks it typed."""
    out: list[str] = []
    position = 0
    for fence in _FENCE.finditer(text):
        out.append(_prose(text[position : fence.start()]))
        block = code_block(fence.group(2).rstrip("\n"))
        written = "".join(out)
        # A fence only opens at the start of a line, after a blank line or a paragraph; never mid-line.
        out.append(("\n\n" if written and not written.endswith("\n") else "\n" if written else "") + block)
        position = fence.end()
    out.append(_prose(text[position:]))
    return "".join(out)


def code_block(code: str, language: str = "") -> str:
    """A fenced block that no line of ``code`` can close: the fence is longer than any backtick run in it."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    language = re.sub(r"[^\w+-]", "", language)  # the info string is gptls', a word: nothing to render
    return f"{fence}{language}\n{plain(code)}\n{fence}\n"


def code_span(code: str) -> str:
    """An inline code span holding ``code`` literally, for a name gptls found in the code (a function's name).
    Text with a pipe, a backtick or a line break is shown as escaped prose instead: a code span inside a
    table cell can be split by a pipe, and a span is one line."""
    code = plain(code)
    if not code.strip() or re.search(r"[|`\n\r]", code):
        return _prose(code)
    return f"`{code}`"


def _prose(text: str) -> str:
    # Leading blanks go: four of them would make an indented code block, which shows the escapes literally.
    return _SYNTAX.sub(r"\\\1", _INDENT.sub("", plain(text)))


_INDENT = re.compile(r"^[ \t]+", re.MULTILINE)
