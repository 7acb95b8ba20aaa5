"""The model's answer made safe to insert: only code (no fences, no prose, no cursor marker), never repeating
what is already typed before the cursor or written after it, one line unless the cursor starts a block."""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass

from gptls.completion.prompt import CURSOR
from gptls.languages import C_FAMILY
from gptls.targets.lexical import HIDDEN_BREAKS

log = logging.getLogger(__name__)

# What ghost text may hold at most: an editor shows it whole, over the code below the cursor.
MAX_LINES = 40
MAX_CHARS = 4000
_LINE_COMMENT = re.compile(r"//")
# Java decodes \u escapes before it reads comments: these end a line comment or a block comment.
_JAVA_ESCAPES = re.compile(r"\\u+00(?:0[aAdD]|2[aAfF])")

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


def problem(insert: str, line_prefix: str, language_id: str) -> str | None:
    """Why ghost text could do what an edit may not, or None: the checks edits get (a line break the editor
    may not show, a C line splice in a comment, a Java escape that ends a comment), and no control or invisible
    character (bidirectional overrides, zero-width and tag characters, C0 and C1 controls but tab and newline),
    which could make what is shown read otherwise than what is inserted."""
    if HIDDEN_BREAKS.search(insert):
        return "a line break the editor may not show"
    for char in insert:
        if char in "\t\n":
            continue
        if unicodedata.category(char) in ("Cc", "Cf", "Co", "Cs") or 0xE0000 <= ord(char) <= 0xE007F:
            return f"an invisible or control character (U+{ord(char):04X})"
    language = language_id.lower()
    lines = (line_prefix + insert).split("\n")
    if language in C_FAMILY and any(_LINE_COMMENT.search(line) and line.rstrip(" \t").endswith("\\") for line in lines):
        return "a comment ending in a backslash, which joins the next line of code to it"
    if language == "java" and _JAVA_ESCAPES.search(insert):
        return "a \\u escape that Java reads as a line break or a comment marker"
    return None


def capped(insert: Insert) -> Insert | None:
    """At most ``MAX_LINES`` lines and ``MAX_CHARS`` characters, cut at a line's end; None when even its
    first line is longer."""
    lines = insert.text.split("\n")[:MAX_LINES]
    while lines and len("\n".join(lines)) > MAX_CHARS:
        lines.pop()
    if not lines:
        return None
    text = "\n".join(lines)
    return insert if text == insert.text else Insert(text.rstrip(), insert.replaces_rest)


def shown(answer: str, line_prefix: str, rest: str, following: list[str], language_id: str) -> Insert | None:
    """``clean`` then checked like an edit and capped: what the editor may show as ghost text, or None."""
    insert = clean(answer, line_prefix, rest, following)
    if insert is None:
        return None
    refused = problem(insert.text, line_prefix, language_id)
    if refused is not None:
        log.info("a completion was not shown: it holds %s", refused)
        return None
    return capped(insert)


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
