"""Find what an action works on, and the bounded context sent with it.

Positions here are (line, character) in Unicode code points, 0-based; the LSP layer converts from and to
the client's position encoding. Python is read with the ``ast`` module (only the top-level block around
the cursor, so a 10,000-line file costs no more than a short one); other languages, and Python that does
not parse while the user is typing, use indentation and brace matching.
"""

from __future__ import annotations

import ast
import fnmatch
import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from pathlib import PurePosixPath
from urllib.parse import unquote, urlparse

from gptls.positions import split_lsp_lines


@dataclass(frozen=True, order=True)
class Pos:
    line: int
    char: int


@dataclass(frozen=True)
class Span:
    start: Pos
    end: Pos

    @property
    def empty(self) -> bool:
        return self.start == self.end


@dataclass(frozen=True)
class Function:
    """A function or method found in the document."""

    name: str
    start_line: int  # first line, decorators and leading doc comments excluded
    header_line: int  # the line holding the name
    end_line: int  # last line, inclusive
    indent: str
    is_stub: bool


@dataclass(frozen=True)
class Target:
    """What an action rewrites or explains.

    ``span`` is the text the model sees and an edit replaces (or, for an insertion, the empty span where
    code goes); ``anchor`` is the non-empty text that must still be there for an edit to be applied.
    """

    kind: str  # selection | function | stub | comment
    span: Span
    text: str
    anchor: Span
    indent: str
    function: Function | None = None


class Document:
    """A snapshot of a document's text, split once into LSP lines."""

    def __init__(self, text: str, language_id: str = "plaintext", uri: str = "untitled:") -> None:
        self.text = text
        self.language_id = language_id or "plaintext"
        self.uri = uri
        with_ends = split_lsp_lines(text)
        if not with_ends or with_ends[-1].endswith(("\n", "\r")):
            with_ends.append("")  # the empty line after a final line break is a position too
        self.starts = [0, *accumulate(len(line) for line in with_ends)]
        self.lines = [line.rstrip("\r\n") for line in with_ends]
        self.newline = "\r\n" if "\r\n" in text else "\n"

    def line(self, index: int) -> str:
        """Line ``index`` without its line ending."""
        return self.lines[index]

    def clamp(self, pos: Pos) -> Pos:
        """A position inside the document, whatever the client sent."""
        line = min(max(pos.line, 0), len(self.lines) - 1)
        char = min(max(pos.char, 0), len(self.lines[line]))
        return Pos(line, char)

    def offset(self, pos: Pos) -> int:
        pos = self.clamp(pos)
        return self.starts[pos.line] + pos.char

    def position(self, offset: int) -> Pos:
        offset = min(max(offset, 0), len(self.text))
        line = bisect_right(self.starts, offset) - 1
        return self.clamp(Pos(min(line, len(self.lines) - 1), offset - self.starts[line]))

    def slice(self, span: Span) -> str:
        return self.text[self.offset(span.start) : self.offset(span.end)]

    def full_lines(self, first: int, last: int) -> Span:
        return Span(Pos(first, 0), Pos(last, len(self.line(last))))

    @property
    def is_python(self) -> bool:
        return self.language_id in {"python", "py"} or self.uri.endswith((".py", ".pyi"))


# -- functions ----------------------------------------------------------------------------------

_HEADER = re.compile(
    r"^\s*(?:"
    r"(?:export\s+)?(?:default\s+)?(?:async\s+)?function\b\s*\*?\s*(?P<js>[\w$]+)"
    r"|(?:pub(?:\([\w:]+\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+(?P<rs>\w+)"
    r"|func\s+(?:\([^)]*\)\s*)?(?P<go>\w+)"
    r"|(?:async\s+)?def\s+(?P<py>\w+)"
    r"|(?:(?:public|private|protected|internal|static|final|abstract|virtual|override|async|inline|extern|"
    r"constexpr|unsafe|synchronized|export)\s+)*"
    r"[\w:<>,\[\]\*&\.\?]+(?:\s+|\s*[\*&]+\s*)(?P<c>[A-Za-z_]\w*)\s*\([^;{}]*\)?\s*(?:const\s*)?"
    r"(?:->\s*[^{;]+|:\s*[^{;=]+|throws\s+[\w., ]+)?\s*\{?\s*$"
    r"|(?:export\s+)?(?:const|let|var)\s+(?P<arrow>[\w$]+)\s*=\s*(?:async\s+)?(?:\([^)]*\)|\w+)\s*=>"
    r")"
)
_NOT_FUNCTIONS = {"if", "for", "while", "switch", "catch", "return", "else", "do", "try", "sizeof", "new"}
_STUB_LINE = re.compile(
    r"^\s*(?:\.\.\.|pass|TODO\b.*|todo!\(\)|unimplemented!\(\)|"
    r"raise\s+NotImplementedError(?:\(.*\))?|"
    r"throw\s+new\s+\w*Error\(\s*[\"'`]?(?:not\s+implemented|todo)[^)]*\)\s*;?|"
    r"panic\(\s*\"(?:not\s+implemented|todo)[^)]*\)|"
    r"return\s*;?)\s*$",
    re.IGNORECASE,
)
_COMMENT = re.compile(r"^\s*(?:#(?!include|define|pragma|!)|//|--|;|/\*|\*|\"\"\"|''')")


def find_function(doc: Document, line: int) -> Function | None:
    """The innermost function or method around ``line``."""
    if not doc.lines:
        return None
    line = doc.clamp(Pos(line, 0)).line
    if doc.is_python:
        found = _python_function(doc, line)
        if found is not None:
            return found if found.name else None
    return _heuristic_function(doc, line)


def _python_function(doc: Document, line: int) -> Function | None:
    """Returns None when ``ast`` cannot tell (syntax error), Function(name="") when there is no function."""
    first = line
    while first > 0 and not _top_level_start(doc.line(first)):
        first -= 1
    while first > 0 and doc.line(first - 1).startswith("@"):
        first -= 1
    last = line + 1
    while last < len(doc.lines) and not _top_level_start(doc.line(last)):
        last += 1
    chunk = "\n".join(doc.line(i) for i in range(first, last))
    try:
        tree = ast.parse(chunk)
    except (SyntaxError, ValueError):
        return None
    best: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = first + node.lineno - 1
            end = first + (node.end_lineno or node.lineno) - 1
            if start <= line <= end and (best is None or node.lineno >= best.lineno):
                best = node
    if best is None:
        return Function("", 0, 0, 0, "", False)
    start = first + best.lineno - 1
    end = first + (best.end_lineno or best.lineno) - 1
    header = doc.line(start)
    return Function(
        name=best.name,
        start_line=start,
        header_line=start,
        end_line=end,
        indent=header[: len(header) - len(header.lstrip())],
        is_stub=_python_stub(best),
    )


def _top_level_start(text: str) -> bool:
    return (
        bool(text)
        and not text[0].isspace()
        and not text.startswith(("#", ")", "]", "}", "@"))
        and bool(re.match(r"(?:async\s+def|def|class|if|for|while|with|try|[\w\.]+\s*[=:(])", text))
    )


def _python_stub(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    body = list(node.body)
    first = body[0] if body else None
    if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
        body = body[1:]
    for stmt in body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis:
            continue
        if isinstance(stmt, ast.Raise) and "NotImplementedError" in ast.unparse(stmt):
            continue
        return False
    return True


def _heuristic_function(doc: Document, line: int) -> Function | None:
    for start in range(line, max(-1, line - 400), -1):
        text = doc.line(start)
        match = _HEADER.match(text)
        if not match:
            continue
        name = next((v for v in match.groupdict().values() if v), "")
        if not name or name in _NOT_FUNCTIONS:
            continue
        end = _block_end(doc, start)
        if end is None or end < line:
            if start < line:
                continue
            end = end if end is not None else start
        indent = text[: len(text) - len(text.lstrip())]
        body = [doc.line(i) for i in range(start + 1, end + 1)]
        return Function(name, start, start, end, indent, _heuristic_stub(text, body))
    return None


def _block_end(doc: Document, start: int) -> int | None:
    """Last line of the block that starts at ``start``: matching brace, else deeper indentation."""
    depth = 0
    seen_brace = False
    for index in range(start, min(len(doc.lines), start + 5000)):
        code = _strip_strings(doc.line(index))
        if not seen_brace and index > start + 3 and "{" not in code:
            break
        for char in code:
            if char == "{":
                depth += 1
                seen_brace = True
            elif char == "}":
                depth -= 1
                if seen_brace and depth == 0:
                    return index
        if not seen_brace and code.rstrip().endswith(";"):
            return index  # a declaration without a body
    if seen_brace:
        return None
    header = doc.line(start)
    indent = len(header) - len(header.lstrip())
    last = start
    for index in range(start + 1, len(doc.lines)):
        text = doc.line(index)
        if not text.strip():
            continue
        if len(text) - len(text.lstrip()) <= indent:
            break
        last = index
    return last


def _strip_strings(code: str) -> str:
    code = re.sub(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|`[^`]*`", '""', code)
    return re.sub(r"//.*$", "", code)


def _heuristic_stub(header: str, body: list[str]) -> bool:
    inner = [header.split("{", 1)[1] if "{" in header else "", *body]
    text = "\n".join(inner)
    if "{" in header or any("{" in b for b in body[:1]):
        text = text.rsplit("}", 1)[0]
        text = text.replace("{", "", 1) if "{" not in header else text
    lines = [t for t in (re.sub(r"/\*.*?\*/", "", x).strip() for x in text.split("\n")) if t]
    lines = [t for t in lines if not re.match(r"^(?://|#|--|\*)(?!.*\bTODO\b)", t)]
    lines = [re.sub(r"^(?://|#|--)\s*", "", t) for t in lines]
    return all(_STUB_LINE.match(t) for t in lines)


# -- targets ------------------------------------------------------------------------------------


def selection_target(doc: Document, span: Span) -> Target:
    span = Span(doc.clamp(span.start), doc.clamp(span.end))
    if span.end < span.start:
        span = Span(span.end, span.start)
    first = doc.line(span.start.line)
    indent = first[: len(first) - len(first.lstrip())]
    return Target("selection", span, doc.slice(span), span, indent, find_function(doc, span.start.line))


def function_target(doc: Document, function: Function) -> Target:
    span = doc.full_lines(function.start_line, function.end_line)
    return Target("stub" if function.is_stub else "function", span, doc.slice(span), span, function.indent, function)


def comment_target(doc: Document, line: int) -> Target | None:
    """A comment block that describes a function not yet written: code goes on the line after it."""
    if not _COMMENT.match(doc.line(line)):
        return None
    first = line
    while first > 0 and _COMMENT.match(doc.line(first - 1)):
        first -= 1
    last = line
    while last + 1 < len(doc.lines) and _COMMENT.match(doc.line(last + 1)):
        last += 1
    following = doc.line(last + 1) if last + 1 < len(doc.lines) else ""
    if following.strip() and not following.strip().startswith(("}", ")", "]")):
        return None  # the comment belongs to code that already exists
    anchor = doc.full_lines(first, last)
    end = anchor.end
    header = doc.line(first)
    indent = header[: len(header) - len(header.lstrip())]
    return Target("comment", Span(end, end), doc.slice(anchor), anchor, indent)


def target_at(doc: Document, span: Span) -> Target | None:
    """What the user points at: a non-empty selection, else the comment or the function at the cursor."""
    span = Span(doc.clamp(span.start), doc.clamp(span.end))
    if not span.empty and doc.slice(span).strip():
        return selection_target(doc, span)
    comment = comment_target(doc, span.start.line)
    if comment is not None:
        return comment
    function = find_function(doc, span.start.line)
    return function_target(doc, function) if function is not None else None


# -- context ------------------------------------------------------------------------------------

_IMPORT = re.compile(
    r"^\s*(?:import\s|from\s+\S+\s+import\s|#include\s|use\s|using\s|package\s|require\s*\(|"
    r"(?:const|let|var)\s+\w+\s*=\s*require\(|@import\s|library\(|extern\s+crate\s)"
)
_CLASS = re.compile(
    r"^\s*(?:export\s+)?(?:(?:public|private|abstract|final|data|sealed)\s+)*"
    r"(?:class|struct|impl|interface|trait|enum|module|object)\b"
)


def build_context(doc: Document, target: Target, budget: int) -> str:
    """Imports, the enclosing class header and nearby signatures, nearest first, within ``budget`` chars.

    Never the whole file: only lines that name what the target can use.
    """
    if budget <= 0:
        return ""
    skip = range(target.anchor.start.line, target.anchor.end.line + 1)
    imports = [i for i in range(min(len(doc.lines), 400)) if i not in skip and _IMPORT.match(doc.line(i))]
    enclosing: list[int] = []
    base_indent = len(target.indent)
    for i in range(target.anchor.start.line - 1, -1, -1):
        text = doc.line(i)
        stripped = text.lstrip()
        if stripped and len(text) - len(stripped) < base_indent and _CLASS.match(text):
            enclosing.insert(0, i)
            base_indent = len(text) - len(stripped)
        if base_indent == 0:
            break
    window = 1500
    low = max(0, target.anchor.start.line - window)
    high = min(len(doc.lines), target.anchor.end.line + window)
    signatures = [
        i
        for i in range(low, high)
        if i not in skip and i not in enclosing and (_HEADER.match(doc.line(i)) or _CLASS.match(doc.line(i)))
    ]
    signatures.sort(key=lambda i: abs(i - target.anchor.start.line))
    chosen: list[int] = []
    used = 0
    for i in imports + enclosing + signatures:
        text = doc.line(i)
        if len(text) > 400:
            continue
        cost = len(f"{i + 1}: {text}") + 1
        if used + cost > budget:
            if i in imports:
                continue
            break
        chosen.append(i)
        used += cost
    return "\n".join(f"{i + 1}: {doc.line(i)}" for i in sorted(set(chosen)))


# -- privacy --------------------------------------------------------------------------------------


def is_excluded(uri: str, patterns: tuple[str, ...]) -> bool:
    """True when the document's path matches an exclude glob: its text is never sent."""
    return matching_exclude(uri, patterns) is not None


def matching_exclude(uri: str, patterns: tuple[str, ...]) -> str | None:
    """The first exclude glob the document's path matches, or None."""
    parsed = urlparse(uri)
    path = unquote(parsed.path) if parsed.scheme in ("file", "") else unquote(parsed.path or uri)
    posix = PurePosixPath(path.replace("\\", "/").lower())  # .ENV and Id_RSA are secrets too
    for original in patterns:
        pattern = original.lower()
        if fnmatch.fnmatch(posix.name, pattern) or fnmatch.fnmatch(str(posix), pattern):
            return original
        if pattern.startswith("**/") and fnmatch.fnmatch(str(posix), "*/" + pattern[3:]):
            return original
        if "/" in pattern and posix.match(pattern.removeprefix("**/")):
            return original
    return None


def looks_binary(text: str) -> bool:
    return "\x00" in text[:65536]
