"""The parts of a function an action may touch: where its body is, and where its docstring is or goes.

Generate function replaces only the body; Add docstring writes only the docstring. Everything else — the
decorators, the signature, an existing docstring for Generate — stays byte for byte as written, because
the edit's span never covers it.
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass

from gptls.targets.target import Function
from gptls.text import Document, Pos, Span
from gptls.text.python_headers import close_empty_bodies
from gptls.text.python_syntax import parse


@dataclass(frozen=True)
class Parts:
    body: Span  # what Generate replaces: the statements after the docstring (Python), or between the braces
    body_indent: str
    docstring: Span | None  # Python: the existing docstring statement, if any
    docstring_at: Pos  # where a new docstring goes: Python, the start of the body; others, above the function
    empty: bool = False  # no body yet (`def f(x):` just typed): ``body`` is the end of the function's last line


def function_parts(doc: Document, function: Function) -> Parts | None:
    """None when the function's shape is not one gptls can edit part of (then nothing partial is applied)."""
    if doc.is_python:
        return _python_parts(doc, function)
    return _brace_parts(doc, function)


def _python_parts(doc: Document, function: Function) -> Parts | None:
    lines = [doc.line(i) for i in range(function.start_line, function.end_line + 1)]
    text = textwrap.dedent("\n".join(lines))
    try:
        tree = parse(text)
    except SyntaxError:
        closed = close_empty_bodies(text)
        if closed == text:
            return None
        return _empty_parts(doc, function, closed)
    node = tree.body[0] if tree.body else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.body:
        return None
    first = function.start_line - 1  # ast counts lines from 1
    body = list(node.body)
    docstring: Span | None = None
    if _is_docstring(body[0]):
        doc_node = body.pop(0)
        docstring = Span(
            Pos(first + doc_node.lineno, 0), _line_end(doc, first + (doc_node.end_lineno or doc_node.lineno))
        )
    first_body = body[0] if body else None
    indent_source = first_body or node.body[0]
    body_line = doc.line(first + indent_source.lineno)
    if first + indent_source.lineno == function.start_line:
        return None  # `def f(): ...` on one line: no body of its own to replace
    indent = body_line[: len(body_line) - len(body_line.lstrip())]
    end = _line_end(doc, function.end_line)
    if first_body is not None:
        start = Pos(first + first_body.lineno, 0)
    else:  # only a docstring: the body goes after it
        assert docstring is not None
        start = end
    at = docstring.start if docstring else Pos(first + node.body[0].lineno, 0)
    return Parts(body=Span(start, end), body_indent=indent, docstring=docstring, docstring_at=at)


def _empty_parts(doc: Document, function: Function, closed: str) -> Parts | None:
    """A function begun with no body (only comments under its header, or nothing): the body goes after its last
    line, indented as those comments are, else one level under the header as the file indents."""
    try:
        tree = parse(closed)
    except SyntaxError:
        return None
    node = tree.body[0] if tree.body else None
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or len(node.body) != 1:
        return None
    header_last = function.start_line + node.body[0].lineno - 1  # where the `...` closed it
    under = [doc.line(i) for i in range(header_last + 1, function.end_line + 1) if doc.line(i).strip()]
    if under:
        indent = under[0][: len(under[0]) - len(under[0].lstrip())]
    else:
        tabs = any(line.startswith("\t") for line in doc.lines[:500])
        indent = function.indent + ("\t" if tabs else "    ")
    end = _line_end(doc, function.end_line)
    return Parts(body=Span(end, end), body_indent=indent, docstring=None, docstring_at=end, empty=True)


def _brace_parts(doc: Document, function: Function) -> Parts | None:
    header = doc.line(function.header_line).rstrip()
    closing = doc.line(function.end_line).strip()
    if not header.endswith("{") or not closing.startswith("}") or function.end_line <= function.header_line + 1:
        return None
    inner = [doc.line(i) for i in range(function.header_line + 1, function.end_line) if doc.line(i).strip()]
    indent = inner[0][: len(inner[0]) - len(inner[0].lstrip())] if inner else function.indent + "    "
    span = Span(Pos(function.header_line + 1, 0), Pos(function.end_line, 0))
    return Parts(body=span, body_indent=indent, docstring=None, docstring_at=Pos(function.start_line, 0))


def _is_docstring(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def _line_end(doc: Document, line: int) -> Pos:
    return Pos(line, len(doc.line(line)))


def body_from_answer(code: str) -> str:
    """The body statements of a Python answer, whatever the model sent: just a body, or the whole function
    (with a changed signature, decorators or a docstring of its own) — then only that function's body after
    its docstring. Dedented."""
    text = textwrap.dedent(code)
    try:
        tree = parse(text)
    except SyntaxError:
        return text
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if len(tree.body) != 1 or len(defs) != 1:
        statements = tree.body
        if statements and _is_docstring(statements[0]) and len(statements) > 1:
            return textwrap.dedent(_source_lines(text, statements[1].lineno, statements[-1].end_lineno))
        return text
    function = defs[0]  # even renamed, it holds the body the user asked for
    body = list(function.body)
    if body and _is_docstring(body[0]) and len(body) > 1:
        body = body[1:]
    return textwrap.dedent(_source_lines(text, body[0].lineno, body[-1].end_lineno))


def _source_lines(text: str, first: int, last: int | None) -> str:
    lines = text.split("\n")
    return "\n".join(lines[first - 1 : (last or first)])
