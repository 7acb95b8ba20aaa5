"""Where a Python ``def`` header ends, read line by line (no parse: the text may not parse yet), and a function
begun with no body closed so that it parses."""

from __future__ import annotations

import re

DEF_LINE = re.compile(r"^([ \t]*)(?:async[ \t]+)?def[ \t]+(\w+)")  # indentation, name
_MAX_HEADER = 30


def close_empty_bodies(text: str) -> str:
    """``text`` with ``...`` after the colon of each function whose body is empty or only comments (``def f(x):``
    just typed, to be generated), so that it parses; every line stays where it was."""
    lines = text.split("\n")
    at, changed = 0, False
    while at < len(lines):
        match = DEF_LINE.match(lines[at])
        end = header_end(lines, at) if match else None
        if match is None or end is None:
            at += 1
            continue
        code = end
        while code < len(lines) and (not lines[code].strip() or lines[code].lstrip().startswith("#")):
            code += 1
        if code == len(lines) or len(lines[code]) - len(lines[code].lstrip()) <= len(match.group(1)):
            closed = closed_header(lines[end - 1])
            if closed is not None:
                lines[end - 1], changed = closed, True
        at = end
    return "\n".join(lines) if changed else text


def closed_header(last: str) -> str | None:
    """A header's last line with ``...`` after its colon, the line's comment kept: `...` stands for an empty
    body on the line that opens it. None when the line does not end a header (a one-line ``def``)."""
    code = _code(last).rstrip()
    return last[: len(code)] + " ..." + last[len(code) :] if code.endswith(":") else None


def header_end(lines: list[str], at: int) -> int | None:
    """The line after a ``def`` header: the first one ending in ``:`` with its brackets closed."""
    depth, end = 0, at
    while end < len(lines) and end - at < _MAX_HEADER:
        line = lines[end]
        code = _code(line)
        depth += sum(code.count(c) for c in "([{") - sum(code.count(c) for c in ")]}")
        end += 1
        if depth <= 0 and (code.rstrip().endswith(":") or (end == at + 1 and _body_on_line(code))):
            return end
        if depth < 0:
            return None
    return None


def _code(line: str) -> str:
    """The line without its comment (whole when it holds a quote: a `#` there may be in a string)."""
    return line if '"' in line or "'" in line else line.split("#", 1)[0]


def _body_on_line(code: str) -> bool:
    """``def f(x): return x``: past the parameters, a colon with a statement after it."""
    depth, opened = 0, False
    for at, char in enumerate(code):
        if char in "([{":
            depth, opened = depth + 1, True
        elif char in ")]}":
            depth -= 1
        elif char == ":" and depth == 0 and opened:
            return bool(code[at + 1 :].strip())
    return False
