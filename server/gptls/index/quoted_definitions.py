"""How a definition the project context quotes reads in a prompt: its signature lines, its docstring's first
line, and for a class the members a body is likely to use, nearest the target first, within its share."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from gptls.index.summary import Symbol

_NONE: Mapping[str, int] = {}

FEW_MEMBERS = 16
# Words rank a class's members: 0 the target names it, 1 its neighbours do, 2 the rest of the file does.
UNNAMED = 3
# (id(symbol), summarized) -> (symbol, comment, its signature block)
_SIGNATURES: dict[tuple[int, bool], tuple[Symbol, str, str]] = {}


@dataclass(frozen=True)
class Entry:
    path: str
    symbol: Symbol
    with_members: bool
    # >0: every member that fits this share of the budget (the enclosing class, half its share for each base);
    # 0: only the relevant few. A class quoted whole if the budget lasts (project_context.WHOLE) is rendered with
    # no limit: every member, or not placed at all
    share: float = 0.0
    # Its docstring's first line too: a definition the target names; the others are there for their names and
    # types (docstrings took a fifth of the budget, this file's another seventh: bench/context.py)
    summarized: bool = True
    # Only the members the file's code reads (a type the enclosing class holds, early in the rank: a few lines
    # of ``Headers``, the rest of it later if the budget lasts)
    read_only: frozenset[str] = frozenset()


def definition_block(
    entry: Entry,
    comment: str,
    words: dict[str, int],
    line: int = 0,
    limit: int = 0,
    readers: Mapping[str, int] = _NONE,
) -> str:
    symbol = entry.symbol
    if not entry.with_members:  # the same for every prompt that quotes it: made once per summary
        key = (id(symbol), entry.summarized)
        cached = _SIGNATURES.get(key)
        if cached is not None and cached[0] is symbol and cached[1] == comment:
            return cached[2]
        if len(_SIGNATURES) > 50_000:
            _SIGNATURES.clear()
        block = signature_block(symbol, comment, entry.summarized)
        _SIGNATURES[key] = (symbol, comment, block)
        return block
    return member_block(entry, comment, words, line, limit, readers)


def signature_block(symbol: Symbol, comment: str, summarized: bool = True) -> str:
    lines = [f"{comment} {short(symbol.summary)}"] if symbol.summary and summarized else []
    lines.append(compact(symbol.signature))
    return "\n".join(lines)


SUMMARY_CHARS = 80  # a docstring's first line says what a definition is for; the rest of a long one is budget


def short(summary: str) -> str:
    return summary if len(summary) <= SUMMARY_CHARS else summary[: SUMMARY_CHARS - 3].rstrip() + "..."


def compact(signature: str) -> str:
    """A signature written over several lines, on one: the same tokens for a third of the indentation."""
    if "\n" not in signature or signature.count("\n") > 12 or '"""' in signature or "'''" in signature:
        return signature  # a multi-line string in a default: joining its lines would change what it says
    joined = " ".join(part.strip() for part in signature.split("\n"))
    return re.sub(r"\(\s+", "(", re.sub(r",?\s+\)", ")", joined))


def member_block(
    entry: Entry,
    comment: str,
    words: dict[str, int],
    line: int = 0,
    limit: int = 0,
    readers: Mapping[str, int] = _NONE,
) -> str:
    symbol = entry.symbol
    lines = [signature_block(symbol, comment, entry.summarized)]
    if entry.with_members and symbol.members:
        indent = "    "
        members = list(symbol.members)
        if entry.read_only:
            shown = [m for m in members if m.name in entry.read_only]
            if len(shown) < len(members):
                shown.append(Symbol("", "more", f"{comment} ... {len(members) - len(shown)} more members"))
            members = shown
        elif not entry.share and len(members) > FEW_MEMBERS:
            # A class the target only uses: the members it names, then its other public members, those more
            # files of the workspace read first (``Headers.get``, not ``Headers.to_wsgi_list``), fields and
            # methods alike: fields first showed no method of a class with sixteen of them (rich's Table, whose
            # ``add_row`` every user calls). Their docstrings are left out below.
            def read_by(m: Symbol) -> int:
                return -readers.get(m.name, 0)

            named = sorted((m for m in members if m.name in words), key=lambda m: (words[m.name], read_by(m)))
            rest = sorted((m for m in members if m.name not in words and not m.name.startswith("_")), key=read_by)
            shown = named + rest
            members = [m for m in symbol.members if m in shown[:FEW_MEMBERS] or words.get(m.name) == 0]
            if len(members) < len(symbol.members):
                lines_left = len(symbol.members) - len(members)
                members.append(Symbol("", "more", f"{comment} ... {lines_left} more members"))
        elif entry.share and limit and sum(quoted_cost(m) for m in members) > limit:
            members = nearest_members(members, line, limit, comment, words)
        for member in members:
            lines.append(member_line(member, entry, words, comment, indent))
    return "\n".join(lines)


def member_line(member: Symbol, entry: Entry, words: dict[str, int], comment: str, indent: str) -> str:
    """One member as a class quotes it. The members the target names keep all they say (in the enclosing class
    and its bases, their docstring's first line too); the others lose their parameters' annotations (names,
    defaults and the return type stay: what a call writes), in the enclosing class too: the budget buys more
    members."""
    if member.kind == "more":
        return indent + member.signature
    named = words.get(member.name) == 0
    doc = f"  {comment} {short(member.summary)}" if member.summary and entry.share and named else ""
    if member.kind == "property":
        quoted = property_line(member, comment).replace("\n", "\n" + indent)
        return f"{indent}{quoted}{doc}"
    signature = compact(member.signature)
    if not named:
        signature = lean(signature)
    signature = signature.replace("\n", "\n" + indent)
    return f"{indent}{signature}{doc}"


def property_line(member: Symbol, comment: str) -> str:
    """A property as what a body writes, ``response.url``: ``url: URL`` (its getter's return type), not ``def
    url(self) -> URL: ...``, which reads as a method to call and costs twice the characters."""
    signature = compact(member.signature)
    if "\n" in signature or _parameters_end(signature) < 0:
        return signature  # written oddly or cut short: as it is
    returns = return_annotation(signature)
    return f"{member.name}: {returns}" if returns else f"{member.name}  {comment} property"


def return_annotation(signature: str) -> str:
    """What ``def f(...) -> T:`` says it returns (``T``), or "" (none written, or a signature cut short)."""
    close = _parameters_end(signature)
    if close < 0:
        return ""
    rest = signature[close + 1 :].strip()
    colon = next((i for i, ch in _top_level(rest, 0) if ch == ":"), len(rest))
    returns = rest[:colon].strip()
    return returns[2:].strip() if returns.startswith("->") else ""


def _parameters_end(signature: str) -> int:
    """Where the parameter list's closing parenthesis is, or -1."""
    opening = signature.find("(")
    return next((i for i, ch in _top_level(signature, opening + 1) if ch == ")"), -1) if opening > 0 else -1


@functools.lru_cache(maxsize=8192)  # a class's members, quoted again on every prompt that uses it
def lean(signature: str) -> str:
    """``def f(a: int = 1, *b: str) -> T:`` as ``def f(a=1, *b) -> T:``: the names and defaults a call writes,
    and what it returns."""
    opening = signature.find("(")
    if not signature.startswith(("def ", "async def ")) or opening < 0:
        return signature
    commas = [opening]
    for i, ch in _top_level(signature, opening + 1):
        if ch == ",":
            commas.append(i)
        elif ch in ")]}":
            commas.append(i)
            break
    else:
        return signature  # cut short or a string left open: as written
    kept = []
    for start, end in zip(commas, commas[1:]):
        param = signature[start + 1 : end]
        marks = {ch: i for i, ch in reversed(list(_top_level(param, 0))) if ch in ":="}
        name_end = min(marks.values(), default=len(param))
        name = param[:name_end].strip()
        default = param[marks["="] + 1 :].strip() if "=" in marks else ""
        if name:
            kept.append(f"{name}={default}" if default else name)
    return f"{signature[: opening + 1]}{', '.join(kept)}{signature[commas[-1] :]}"


def _top_level(text: str, start: int) -> Iterator[tuple[int, str]]:
    """Where ``text`` from ``start`` has a character outside any bracket or string that opened after
    ``start`` (a closing bracket at depth 0 included: the end of what opened before)."""
    depth = 0
    quote = ""
    i = start
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif text.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif ch in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else ch
            i += len(quote) - 1
        elif ch in "([{":
            depth += 1
        elif ch in ")]}" and depth:
            depth -= 1
        elif not depth:
            yield i, ch
        i += 1


def quoted_cost(symbol: Symbol) -> int:
    """About the characters ``symbol`` takes when quoted (its line, its summary, the indent and ellipsis)."""
    return len(symbol.signature) + len(symbol.summary) + 8


def nearest_members(members: list[Symbol], line: int, limit: int, comment: str, words: dict[str, int]) -> list[Symbol]:
    """A class too large to quote whole: its attributes and the members the target names first (short, and
    what a body reaches through self), then methods nearest the target, in the class's order."""
    ranked = sorted(
        members,
        key=lambda m: (words.get(m.name, UNNAMED), m.kind != "attribute", abs(m.line - line) if line >= 0 else m.line),
    )
    kept: set[int] = set()
    used = 0
    for member in ranked:
        cost = quoted_cost(member)
        if used + cost <= limit:
            kept.add(id(member))
            used += cost
    shown = [m for m in members if id(m) in kept]
    if len(shown) < len(members):
        shown.append(Symbol("", "more", f"{comment} ... {len(members) - len(shown)} more members"))
    return shown
