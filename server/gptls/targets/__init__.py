"""What an action works on: a selection, the function at the cursor, or a comment that describes one.

Python is read with ``ast`` (``targets/python.py``); other languages, and Python that does not parse while
the user is typing, by indentation and brace matching (``targets/generic.py``).
"""

from __future__ import annotations

from gptls.languages import DESCRIBING_LINE
from gptls.targets.generic import heuristic_function
from gptls.targets.python import python_function
from gptls.targets.target import Function, Target
from gptls.text import Document, Pos, Span
from gptls.text.python_syntax import parse

__all__ = [
    "Function",
    "Target",
    "comment_target",
    "enclosing_block",
    "find_function",
    "function_target",
    "selection_target",
    "target_at",
]

_COMMENT = DESCRIBING_LINE


def find_function(doc: Document, line: int) -> Function | None:
    """The innermost function or method around ``line`` (remembered per document text)."""
    if not doc.lines:
        return None
    line = doc.clamp(Pos(line, 0)).line
    key = f"targets.function:{line}"
    if key not in doc.memo:
        doc.memo[key] = _find_function(doc, line)
    found: Function | None = doc.memo[key]
    return found


def _find_function(doc: Document, line: int) -> Function | None:
    if doc.is_python:
        found = python_function(doc, line)
        if found is not None:
            return found if found.name else None
    return heuristic_function(doc, line)


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
    if doc.is_python:
        function = find_function(doc, line)
        if function is not None and function.is_stub and function.header_line < first <= function.end_line:
            return None  # the body of a function begun with no body yet (`def total(cart):` over `# sum the items`)
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


def enclosing_block(doc: Document, span: Span) -> Target:
    """The function around ``span``, else (Python) the top-level statement around it, else its whole lines:
    what a fix for a problem reported there replaces."""
    span = Span(doc.clamp(span.start), doc.clamp(span.end))
    function = find_function(doc, span.start.line)
    if function is not None and function.start_line <= span.start.line <= function.end_line:
        return function_target(doc, function)
    first, last = span.start.line, max(span.start.line, span.end.line)
    if doc.is_python:
        try:
            tree = parse(doc.text)
        except SyntaxError:
            tree = None
        for node in tree.body if tree else []:
            if node.lineno - 1 <= first and (node.end_lineno or node.lineno) - 1 >= last:
                first, last = node.lineno - 1, (node.end_lineno or node.lineno) - 1
                break
    whole = doc.full_lines(first, last)
    header = doc.line(first)
    return Target("block", whole, doc.slice(whole), whole, header[: len(header) - len(header.lstrip())], None)
