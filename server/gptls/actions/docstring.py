"""Add docstring: the model writes only the documentation text; gptls puts it where the language wants it.

Python: the first statement of the body (replacing an existing docstring), indented like the body. Other
languages: a doc comment above the function (``///`` in Rust, ``//`` in Go, ``---`` in Lua, ``#`` in Ruby
and shell, ``/** */`` elsewhere). The code is untouched by construction: the edit is an insertion (or the
old docstring's span), never the function.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

from gptls import canned
from gptls.actions.base import COMMON_RULES, Action, ActionError, EditResult, Outcome, object_schema
from gptls.languages import language
from gptls.targets import Target
from gptls.targets.lexical import comment_problem
from gptls.targets.parts import function_parts
from gptls.text import Document, Span
from gptls.text.edits import PlannedEdit

WIDTH = 96


def _applies(target: Target) -> bool:
    return target.kind in ("function", "stub")


def _task(target: Target) -> str:
    return (
        "Write a concise docstring for the target function: what it does, its parameters and its result. "
        "Return only the documentation text: no quotes, no comment markers, no code."
    )


def _outcome(answer: Mapping[str, Any], target: Target, doc: Document) -> Outcome:
    text = _text(answer.get("docstring"))
    function = target.function
    parts = function_parts(doc, function) if function is not None else None
    if function is None or parts is None:
        raise ActionError("gptls cannot tell where this function's docstring goes; nothing was applied.")
    whole = doc.full_lines(function.start_line, function.end_line)
    if doc.is_python:
        block = _python_docstring(text, parts.body_indent, doc.newline)
        if parts.docstring is not None:
            start = parts.docstring.start
            return EditResult(PlannedEdit(Span(start, parts.docstring.end), block, whole, doc.slice(whole)))
        at = parts.docstring_at
        if parts.empty:  # no body yet: the docstring goes on a line of its own after the header
            return EditResult(PlannedEdit(Span(at, at), doc.newline + block, whole, doc.slice(whole)))
        return EditResult(PlannedEdit(Span(at, at), block + doc.newline, whole, doc.slice(whole)))
    at = parts.docstring_at
    block = _doc_comment(text, doc.language_id, function.indent, doc.newline)
    problem = comment_problem(block, doc.language_id, doc.newline)
    if problem is not None:  # a doc comment that could change code is not a doc comment
        raise ActionError(f"The model's documentation was not inserted: {problem}. Nothing was applied.")
    return EditResult(PlannedEdit(Span(at, at), block + doc.newline, whole, doc.slice(whole)))


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ActionError("The model returned no docstring; nothing was applied. Try again.")
    text = value.strip().strip('"').strip("'").strip()
    return "\n".join(line.rstrip() for line in textwrap.dedent(text).splitlines()).strip()


def _python_docstring(text: str, indent: str, newline: str) -> str:
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = _wrapped(text, WIDTH - len(indent) - 6)
    if len(lines) == 1:
        return f'{indent}"""{lines[0]}"""'
    body = newline.join(f"{indent}{line}" if line else "" for line in lines[1:])
    return f'{indent}"""{lines[0]}{newline}{body}{newline}{indent}"""'


def _doc_comment(text: str, language_id: str, indent: str, newline: str) -> str:
    marker = language(language_id).doc_comment  # "" for /** ... */
    lines = _wrapped(text, WIDTH - len(indent) - 4)
    if marker:
        return newline.join(f"{indent}{marker} {line}".rstrip() for line in lines)
    inner = newline.join(f"{indent} * {line}".rstrip() for line in lines)
    return f"{indent}/**{newline}{inner}{newline}{indent} */"


def _wrapped(text: str, width: int) -> list[str]:
    """Paragraphs kept, long lines wrapped; blank lines between paragraphs kept too."""
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(textwrap.wrap(line, max(width, 40)) or [""])
    return out


ACTION = Action(
    id="docstring",
    title="gptls: Add docstring",
    kind="refactor.rewrite.gptls.docstring",
    produces="edit",
    instructions=COMMON_RULES + " You write documentation for code.",
    schema=object_schema(docstring="Only the documentation text: no quotes, no comment markers, no code."),
    applies=_applies,
    task=_task,
    to_outcome=_outcome,
    demo_answer=canned.docstring,
)
