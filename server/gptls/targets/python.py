"""Python functions, read with ``ast``: only the top-level block around the cursor is parsed, so a
10,000-line file costs no more than a short one."""

from __future__ import annotations

import ast
import re

from gptls.targets.target import Function
from gptls.text import Document
from gptls.text.python_headers import close_empty_bodies
from gptls.text.python_syntax import parse


def python_function(doc: Document, line: int) -> Function | None:
    """Returns None when ``ast`` cannot tell (syntax error), Function(name="") when there is no function."""
    first = line
    while first > 0 and not _top_level_start(doc.line(first)):
        first -= 1
    while first > 0 and doc.line(first - 1).startswith("@"):
        first -= 1
    last = line + 1
    # A decorator starts the next top-level definition: the chunk must not end on a dangling one.
    while last < len(doc.lines) and not _top_level_start(doc.line(last)) and not doc.line(last).startswith("@"):
        last += 1
    chunk = "\n".join(doc.line(i) for i in range(first, last))
    emptied: set[int] = set()  # the header lines of functions with no body yet
    try:
        tree = parse(chunk)
    except SyntaxError:
        closed = close_empty_bodies(chunk)  # a function begun with no body yet, to be generated
        emptied = {first + i for i, (a, b) in enumerate(zip(chunk.split("\n"), closed.split("\n"))) if a != b}
        if not emptied:
            return None
        try:
            tree = parse(closed)
        except SyntaxError:
            return None
    best: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            start = first + node.lineno - 1
            end = _end(doc, node, first, emptied)
            if start <= line <= end and (best is None or node.lineno >= best.lineno):
                best = node
    if best is None:
        return Function("", 0, 0, 0, "", False)
    start = first + best.lineno - 1
    end = _end(doc, best, first, emptied)
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


def _end(doc: Document, node: ast.FunctionDef | ast.AsyncFunctionDef, first: int, emptied: set[int]) -> int:
    """The function's last line; of one with no body yet, its last comment under the header (`# sum the items`
    is the function's)."""
    end = first + (node.end_lineno or node.lineno) - 1
    if end in emptied:
        header = doc.line(first + node.lineno - 1)
        while end + 1 < len(doc.lines) and (not doc.line(end + 1).strip() or _comment_under(doc.line(end + 1), header)):
            end += 1
        while not doc.line(end).strip():
            end -= 1
    return end


def _comment_under(line: str, header: str) -> bool:
    """A comment indented under ``header``: part of the body that follows it."""
    return line.lstrip().startswith("#") and len(line) - len(line.lstrip()) > len(header) - len(header.lstrip())


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
