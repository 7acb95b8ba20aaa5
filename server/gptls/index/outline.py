"""A Python module's outline: its text with function bodies cut down to their docstring's first line, every
line number kept. A summary reads only signatures, docstrings' first lines, class bodies and ``__init__``;
parsing the outline instead of the whole text halves the index build, which ``ast.parse`` dominates.

The cut is made on lines (indentation), so it declines what it cannot cut safely (a header it cannot read)
and the caller parses the whole text when the outline does not parse; a test holds the summaries of real
modules equal either way.
"""

from __future__ import annotations

import re

from gptls.text.python_headers import DEF_LINE, closed_header, header_end

_QUOTE = re.compile(r"^[ \t]*[rRuUbBfF]{0,2}(\"\"\"|'''|\"|')")
_KEEP_WHOLE = ("__init__", "__post_init__")  # their `self.x =` lines are members
# `self.x = ...` / `self.x: T = ...` anywhere in a method: attributes a body reaches through `self`
SELF_ASSIGN = re.compile(r"^[ \t]*self\.(\w+)[ \t]*(:[^=\n]+?)?[ \t]*=(?!=)")
SELF_DECLARE = re.compile(r"^[ \t]*self\.(\w+)[ \t]*(:[^=\n,]+?)[ \t]*$")  # self.x: T
SELF_AUGMENT = re.compile(r"^[ \t]*self\.(\w+)()[ \t]*(?:\*\*|//|>>|<<|[-+*/%&|^@])=")  # self.x += 1
SELF_TUPLE = re.compile(r"^[ \t]*(self\.\w+(?:[ \t]*,[ \t]*self\.\w+)+)[ \t]*=(?!=)")  # self.a, self.b = ...


def outline(text: str) -> str | None:
    """The outline of ``text``, or None when a function header cannot be read line by line."""
    lines = text.split("\n")
    out: list[str] = []
    at, count = 0, len(lines)
    top = ""  # the top-level statement a line is in: functions inside `if`/`try` blocks are kept whole
    while at < count:
        line = lines[at]
        if line[:1].isalpha() or line[:1] == "@":
            top = line.split(None, 1)[0] if line[:1] != "@" else "@"
        match = DEF_LINE.match(line)
        if not match or (match.group(1) and top not in ("class", "@")):
            out.append(line)
            at += 1
            continue
        end = header_end(lines, at)
        if end is None:
            return None
        out.extend(lines[at:end])
        indent = len(match.group(1))
        stop = end
        while stop < count and (not lines[stop].strip() or len(lines[stop]) - len(lines[stop].lstrip()) > indent):
            stop += 1
        while stop > end and not lines[stop - 1].strip():
            stop -= 1  # trailing blank lines belong to what follows
        body = lines[end:stop]
        closed = closed_header(out[-1]) if not body else None
        if closed is not None:
            out[-1] = closed  # an empty body (`def f(x):` just typed, to be generated) does not parse
        elif not body or match.group(2) in _KEEP_WHOLE:
            out.extend(body)
        else:
            kept = _docstring(body)
            if kept is None:
                return None
            out.extend(kept)
            if len(kept) < len(body):  # a docstring alone is a whole body
                pad = body[0][: len(body[0]) - len(body[0].lstrip())]
                # A method's `self.x =` lines stay (each stands for a line it came from: the count holds).
                assigned = self_assignments(body[len(kept) :]) if match.group(1) else []
                out.extend([pad + line for line in assigned] or [pad + "..."])
                out.extend([""] * (len(body) - len(kept) - max(1, len(assigned))))
        at = stop
    return "\n".join(out)


def self_assignments(body: list[str]) -> list[str]:
    """The ``self.x`` lines of ``body`` the outline keeps, one per attribute: what makes members of a class."""
    seen: dict[str, str] = {}
    for line in body:
        found = SELF_ASSIGN.match(line) or SELF_DECLARE.match(line) or SELF_AUGMENT.match(line)
        if found and found.group(1) not in seen:
            annotation = (found.group(2) or "").strip()
            seen[found.group(1)] = f"self.{found.group(1)}{annotation}" + (" = ..." if "=" in line else "")
            continue
        several = SELF_TUPLE.match(line)
        if several and several.group(1) not in seen:
            seen[several.group(1)] = f"{several.group(1)} = ..."
    return list(seen.values())


def _docstring(body: list[str]) -> list[str] | None:
    """The body's docstring as the outline keeps it: its first line of text, closed on the same line, then
    blank lines for the rest of it; [] when there is none; None when it cannot be read line by line."""
    found = _QUOTE.match(body[0])
    if not found:
        return []
    quote = found.group(1)
    start = body[0].index(quote) + len(quote)
    rest = body[0][start:]
    if quote in rest:
        return [body[0]]  # one line
    if len(quote) == 1:
        return None  # a one-quote string continued with a backslash
    end = 1
    while end < len(body) and quote not in body[end]:
        end += 1
    if end >= len(body):
        return None
    text = [rest, *body[1:end], body[end].split(quote, 1)[0]]
    first = next((t.strip() for t in text if t.strip()), "")
    if "\\" in first or quote[0] in first:
        return body[: end + 1]  # escapes or quotes: kept as written
    return [body[0][:start] + first + quote] + [""] * end
