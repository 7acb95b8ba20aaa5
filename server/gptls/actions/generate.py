"""Generate function: write the body of a stub, or the function a comment describes."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Mapping
from typing import Any

from gptls import canned
from gptls.actions.base import (
    COMMON_RULES,
    Action,
    ActionError,
    EditResult,
    Outcome,
    clean_code,
    does_not_parse,
    object_schema,
)
from gptls.targets import Target, function_target
from gptls.targets.lexical import brace_problem
from gptls.targets.parts import body_from_answer, function_parts
from gptls.text import Document
from gptls.text.edits import PlannedEdit, reindent
from gptls.text.python_syntax import parse


def _applies(target: Target) -> bool:
    if target.kind in ("stub", "comment"):
        return True
    return target.kind == "selection" and target.function is not None and target.function.is_stub


def _task(target: Target) -> str:
    if target.kind == "comment":
        return (
            "Write the function that the target comment describes. Return only the new function (it goes "
            "right under the comment); do not repeat the comment."
        )
    return (
        "The target is a function whose body is a stub (..., pass, TODO, raise NotImplementedError or empty). "
        "Return ONLY the statements of its new body: no def or signature line, no decorators, no docstring, "
        "no braces around the body. gptls keeps the signature, decorators and docstring exactly as written."
    )


def _outcome(answer: Mapping[str, Any], target: Target, doc: Document) -> Outcome:
    code = clean_code(answer.get("code"))
    if target.kind == "comment":
        if doc.is_python:
            _must_define_a_function(code)
        else:
            _must_stay_balanced(code, doc)
        text = doc.newline + reindent(code, target.indent, newline=doc.newline)
        return EditResult(PlannedEdit(target.span, text, target.anchor, target.text))
    function = target.function
    if function is None:
        raise ActionError("Generate function found no function here; nothing was applied.")
    whole = doc.full_lines(function.start_line, function.end_line)
    parts = function_parts(doc, function)
    if parts is None:
        raise ActionError(
            "gptls cannot tell where this function's body starts, so it would not replace only the body; "
            "nothing was applied. Put the body on its own lines and try again."
        )
    body = body_from_answer(code) if doc.is_python else _brace_body(code)
    if not body.strip():
        raise ActionError("The model returned no body; nothing was applied. Try again.")
    if not doc.is_python:
        _must_stay_balanced(body, doc)
    new_text = reindent(body, parts.body_indent, newline=doc.newline)
    if parts.body.start == parts.body.end:  # after a docstring that was the whole body
        new_text = doc.newline + new_text
    elif not doc.is_python:
        new_text += doc.newline  # the closing brace keeps its own line
    return EditResult(PlannedEdit(parts.body, new_text, whole, doc.slice(whole)))


def _must_define_a_function(code: str) -> None:
    try:
        tree = parse(textwrap.dedent(code))
    except SyntaxError as exc:
        raise does_not_parse(exc) from None
    if not any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in tree.body):
        raise ActionError("The model's answer holds no function definition; nothing was applied.")


def _must_stay_balanced(code: str, doc: Document) -> None:
    """A body must end where its function ends: one that closes the function early could run code at the
    top level after it."""
    problem = brace_problem(code, doc.language_id)
    if problem is not None:
        raise ActionError(f"The model's code was not applied: {problem}. Nothing was changed; try again.")


def _brace_body(code: str) -> str:
    """The body of a brace-language answer: what is between the outer braces when the model sent the whole
    function, else the answer itself."""
    lines = textwrap.dedent(code).strip("\n").split("\n")
    if len(lines) >= 2 and lines[0].rstrip().endswith("{") and lines[-1].strip().startswith("}"):
        return textwrap.dedent("\n".join(lines[1:-1]))
    return "\n".join(lines)


def _retarget(target: Target, doc: Document) -> Target:
    if target.kind == "selection" and target.function is not None and target.function.is_stub:
        return function_target(doc, target.function)
    return target


ACTION = Action(
    id="generate",
    title="gptls: Generate function",
    kind="refactor.rewrite.gptls.generate",
    produces="edit",
    instructions=COMMON_RULES + " You implement functions from their signature, docstring or a comment.",
    schema=object_schema(
        code="For a stub: only the statements of the new body. For a comment: the complete new function."
    ),
    applies=_applies,
    task=_task,
    to_outcome=_outcome,
    retarget=_retarget,
    demo_answer=canned.body,
)
