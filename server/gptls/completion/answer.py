"""The model's answer made safe to insert: only code (no fences, no prose, no cursor marker), never repeating
what is already typed before the cursor or written after it, one line unless the cursor starts a block."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gptls.completion.prompt import CURSOR

_PROSE = re.compile(r"^(here\b|here's|sure\b|certainly\b|i\b|i'm\b|the (code|completion)\b|this (code|will)\b)", re.I)
_CLOSERS = set(")]}\"'`;>, ")
_BLOCK_OPENERS = (":", "{", "(", "[", "=>", "->", "do", "then")


@dataclass(frozen=True)
class Insert:
    text: str
    replaces_rest: bool = False  # the text replaces the rest of the line (brackets the editor closed itself)


def multiline_wanted(line_prefix: str, rest: str) -> bool:
    """More than one line only where the position calls for a block: nothing after the cursor on its line, and
    the line is empty so far or opens a block."""
    if rest.strip():
        return False
    typed = line_prefix.strip()
    return not typed or typed.endswith(_BLOCK_OPENERS)


def clean(answer: str, line_prefix: str, rest: str, following: list[str]) -> Insert | None:
    """``answer`` as text to insert at the cursor, or None when there is nothing usable. ``line_prefix`` and
    ``rest`` are the cursor line's text before and after the cursor; ``following``, the lines after it."""
    text = answer.replace("\r\n", "\n").replace("\r", "\n").replace(CURSOR, "")
    lines = text.split("\n")
    if lines and lines[0].lstrip().startswith("```"):
        lines = lines[1:]
        while lines and not lines[-1].strip():
            lines.pop()
        if lines and lines[-1].strip().startswith("```"):
            lines.pop()
    elif lines and lines[-1].strip() == "```":
        lines.pop()
    text = "\n".join(lines)
    if not text.strip() or _PROSE.match(text.lstrip()):
        return None
    typed = line_prefix.lstrip()
    if typed and text.lstrip().startswith(typed) and not typed.isspace():
        text = text.lstrip()[len(typed) :]  # the model wrote the line again from its start
    if not multiline_wanted(line_prefix, rest):
        text = text.split("\n", 1)[0]
    else:
        text = _without_following(text, following)
        if not line_prefix.strip() and line_prefix:  # the editor already indented this line
            first, sep, more = text.partition("\n")
            if first.startswith(line_prefix):
                first = first[len(line_prefix) :]
            text = first + sep + more
    text = text.rstrip()
    if not text.strip():
        return None
    stripped_rest = rest.strip()
    if stripped_rest:
        if text.endswith(stripped_rest):
            text = text[: -len(stripped_rest)].rstrip()
            return Insert(text) if text.strip() else None
        if set(stripped_rest) <= _CLOSERS and _in_order(stripped_rest, text):
            return Insert(text, replaces_rest=True)
    return Insert(text)


def _without_following(text: str, following: list[str]) -> str:
    """Drop the answer's last lines when they are the lines already after the cursor (a closing brace, the
    next function): the longest such run, keeping at least one line."""
    lines = text.split("\n")
    ahead = [line.strip() for line in following if line.strip()]
    body = [i for i, line in enumerate(lines) if line.strip()]
    for n in range(min(len(body) - 1, len(ahead)), 0, -1):
        if [lines[i].strip() for i in body[-n:]] == ahead[:n]:
            return "\n".join(lines[: body[-n]])
    return text


def _in_order(needle: str, text: str) -> bool:
    at = 0
    for char in needle:
        at = text.find(char, at)
        if at < 0:
            return False
        at += 1
    return True
