"""A file read into its summary, by its language's reader; a buffer's small edit re-read from the summary it had
(only the definition the edit is in, when it stays inside one body)."""

from __future__ import annotations

import ast
import contextlib
import re
import textwrap
from dataclasses import replace

from gptls.index.brace_reader import read_go, read_script
from gptls.index.outline import outline, self_assignments
from gptls.index.python_reader import (
    first_doc_line,
    header,
    python_symbols,
    read_attributes,
    read_python,
    summary_size,
)
from gptls.index.summary import CALLABLE_MEMBERS, FileSummary, Symbol
from gptls.languages import INDEXED_SUFFIXES
from gptls.text.python_headers import DEF_LINE
from gptls.text.python_syntax import parse


def summarize(
    path: str, text: str, language: str | None = None, refused: list[str] | None = None
) -> FileSummary | None:
    """The summary of ``text``, or None when it cannot be read (Python that does not parse: the caller keeps
    what it had; ``refused`` gets why when the file was written to break a parser)."""
    language = language or INDEXED_SUFFIXES.get(path[path.rfind(".") :].lower(), "")
    if language == "python":
        return read_python(path, text, refused)
    if language in ("typescript", "javascript", "typescriptreact", "javascriptreact"):
        return read_script(path, text, "typescript" if language.startswith("typescript") else "javascript")
    if language == "go":
        return read_go(path, text)
    return None


def changed_lines(old_text: str, new_text: str) -> int:
    """How many lines lie between the two texts' common start and common end (in the longer one)."""
    old_lines, new_lines = old_text.split("\n"), new_text.split("\n")
    first, tail = _common_ends(old_lines, new_lines)
    return max(len(old_lines), len(new_lines)) - first - tail


def _common_ends(old_lines: list[str], new_lines: list[str]) -> tuple[int, int]:
    """Lines the two texts share at their start, and then at their end."""
    common = min(len(old_lines), len(new_lines))
    first = 0
    while first < common and old_lines[first] == new_lines[first]:
        first += 1
    tail = 0
    while tail < common - first and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    return first, tail


def summarize_edit(path: str, old_text: str, old: FileSummary, new_text: str) -> FileSummary | None:
    """The summary of ``new_text`` made from ``old`` (the summary of ``old_text``) by re-reading only the
    top-level statements the edit touched: typing in a 3,000-line module costs a short parse, not a full one.
    Code being typed that does not parse yet keeps what that part held before. None when it cannot be done
    safely (another language, an edit to the imports): then the caller reads the whole text."""
    if old.language != "python":
        return None
    old_lines, new_lines = old_text.split("\n"), new_text.split("\n")
    first, tail = _common_ends(old_lines, new_lines)
    if first == len(old_lines) == len(new_lines):
        return old
    shift = len(new_lines) - len(old_lines)
    changed = [*old_lines[first : len(old_lines) - tail], *new_lines[first : len(new_lines) - tail]]
    inside = _inside_one_body(old, old_lines, new_lines, first, tail, changed)
    if inside is not None:
        return inside  # a function's own imports are not the file's
    # The chunk re-read runs between statements the old summary knows are code (a definition's or a constant's
    # line, its decorators included), so a column-0 line inside a multi-line string is never taken for a start.
    known = sorted({_statement_start(old_lines, symbol.line) for symbol in old.symbols.values()})
    start = max((line for line in known if line <= first), default=0)
    old_stop = min((line for line in known if line >= len(old_lines) - tail and line > start), default=len(old_lines))
    new_stop = old_stop + shift
    if new_stop <= start:
        return None
    conditional = new_lines[start].startswith(("if", "try"))  # `if TYPE_CHECKING:` / `try: import x` blocks
    if any(_IMPORTS.match(line) and (conditional or not line[:1].isspace()) for line in changed):
        return None  # the file's imports are kept without lines: read them all again
    chunk = new_lines[start:new_stop]
    fresh: list[Symbol] | None = None
    # Read as the whole file is read, through its outline (the same lines, bodies cut to their `self.x =`
    # lines), so the members found are the ones a full summary finds; the raw chunk if the outline fails.
    shortened = outline("\n".join(chunk))
    for text in ([shortened.split("\n")] if shortened is not None else []) + [chunk]:
        with contextlib.suppress(SyntaxError, RecursionError):  # RecursionError: unparsing a base class
            fresh = [
                _moved(symbol, start) for node in parse("\n".join(text)).body for symbol in python_symbols(node, text)
            ]
            break
    if fresh is None:
        whole = read_python(path, new_text)  # an edit that opened or closed a string, or code being typed
        if whole is not None:
            return whole
        # Mid-edit code that does not parse (yet): what this part held before stands for it meanwhile.
        fresh = [symbol for symbol in old.symbols.values() if start <= symbol.line < old_stop]
    symbols: dict[str, Symbol] = {}
    for symbol in sorted(old.symbols.values(), key=lambda s: s.line):
        if symbol.line < start:
            symbols[symbol.name] = symbol
    for symbol in fresh:
        symbols[symbol.name] = symbol
    for symbol in sorted(old.symbols.values(), key=lambda s: s.line):
        if symbol.line >= old_stop:
            symbols[symbol.name] = _moved(symbol, shift)
    attributes = read_attributes(new_text)  # what the file reads now: a stubbed body reads nothing any more
    size = summary_size(symbols, attributes)
    return FileSummary(path, "python", symbols, old.imports, size=size, attributes=attributes)


def _inside_one_body(
    old: FileSummary, old_lines: list[str], new_lines: list[str], first: int, tail: int, changed: list[str]
) -> FileSummary | None:
    """The usual edit, inside the body of one function or method whose header and docstring stay the same:
    the summary is the old one with later lines moved, found by parsing that function alone."""
    indents = [len(line) - len(line.lstrip()) for line in changed if line.strip()]
    if not indents or first == 0:
        return None
    if self_assignments(changed):
        return None  # a `self.x =` line makes (or made) a member of the class: the chunk below reads it again
    # Up from the edit, through the blocks around it, to the first function the summary knows.
    level, at, known = min(indents), first - 1, None
    while at >= 0:
        line = new_lines[at]
        depth = len(line) - len(line.lstrip())
        if line.strip() and not line.lstrip().startswith("#") and depth < level:
            match = DEF_LINE.match(line)
            if match:
                known = _symbol_at(old, at)
                if known is not None and known.name == match.group(2):
                    break
            elif depth == 0 or line.lstrip().startswith("class "):
                return None  # a class body or top-level code holds the edit
            level = depth
        at -= 1
    if at < 0 or known is None or known.name in ("__init__", "__post_init__"):
        return None  # nothing found, or an __init__, whose `self.x =` lines are members
    indent = len(new_lines[at]) - len(new_lines[at].lstrip())
    stop = first
    while (
        stop < len(new_lines)
        and (
            not new_lines[stop].strip()
            or len(new_lines[stop]) - len(new_lines[stop].lstrip()) > indent
            # A multi-line header closes at the def's own indentation: `) -> T:` is still the function.
            or (len(new_lines[stop]) - len(new_lines[stop].lstrip()) == indent and new_lines[stop].lstrip()[:1] in ")]")
        )
    ):
        stop += 1
    if len(new_lines) - tail > stop:
        return None  # the edit reaches past the function
    chunk = textwrap.dedent("\n".join(new_lines[at:stop])).split("\n")
    try:
        node = parse("\n".join(chunk)).body[0]
    except (SyntaxError, IndexError):
        node = None  # being typed: what it held stands for it meanwhile
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
        header(node, chunk) != known.signature or first_doc_line(node) != known.summary
    ):
        return None  # its signature or docstring changed: the chunk below reads it
    shift = len(new_lines) - len(old_lines)
    symbols = {n: _moved_after(s, at, shift) for n, s in old.symbols.items()}
    return replace(old, symbols=symbols, attributes=read_attributes("\n".join(new_lines)))


def _symbol_at(summary: FileSummary, line: int) -> Symbol | None:
    for symbol in summary.symbols.values():
        if symbol.line == line and symbol.kind == "function":
            return symbol
        for member in symbol.members:
            if member.line == line and member.kind in CALLABLE_MEMBERS:
                return member
    return None


def _moved_after(symbol: Symbol, after: int, by: int) -> Symbol:
    """``symbol`` with the lines after ``after`` moved by ``by`` (its members' too)."""
    if not by:
        return symbol
    members = tuple(_moved_after(m, after, by) for m in symbol.members)
    line = symbol.line + by if symbol.line > after else symbol.line
    if line == symbol.line and members == symbol.members:
        return symbol
    return symbol._replace(line=line, members=members)


_IMPORTS = re.compile(r"^\s*(import|from)\s|^(if|try)\b")  # an import, or a top-level block that may hold some


_TOP_LEVEL = re.compile(r"^[A-Za-z_@\"']")


def _statement_start(lines: list[str], at: int) -> int:
    """The top-level statement (its decorators included) that line ``at`` belongs to."""
    while at > 0 and not _top_level_start(lines[at]):
        at -= 1
    while at > 0 and lines[at - 1].startswith("@"):
        at -= 1
    return at


def _top_level_start(line: str) -> bool:
    return bool(_TOP_LEVEL.match(line)) and not line.startswith(("else", "elif", "except", "finally"))


def _moved(symbol: Symbol, by: int) -> Symbol:
    if not by:
        return symbol
    members = tuple(_moved(m, by) if m.line else m for m in symbol.members)  # 0: a member without a line
    return symbol._replace(line=symbol.line + by, members=members)
