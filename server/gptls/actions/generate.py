"""Generate function: write the body of a stub, or the function a comment describes."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Mapping
from typing import Any

from gptls.actions.base import (
    COMMON_RULES,
    Action,
    ActionError,
    EditResult,
    Outcome,
    clean_code,
    object_schema,
)
from gptls.targets import Target, function_target
from gptls.text import Document
from gptls.text.edits import PlannedEdit, reindent


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
        "Return the complete function: the same signature, decorators and docstring exactly as written, "
        "with a correct, idiomatic implementation in place of the stub."
    )


def _outcome(answer: Mapping[str, Any], target: Target, doc: Document) -> Outcome:
    code = clean_code(answer.get("code"))
    if doc.is_python:
        try:
            tree = ast.parse(textwrap.dedent(code))
        except SyntaxError as exc:
            raise ActionError(
                f"The model's code does not parse as Python ({exc.msg}, line {exc.lineno}); nothing was "
                "applied. Try again."
            ) from None
        if not any(isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) for n in tree.body):
            raise ActionError("The model's answer holds no function definition; nothing was applied.")
    if target.kind == "comment":
        text = doc.newline + reindent(code, target.indent, newline=doc.newline)
        return EditResult(PlannedEdit(target.span, text, target.anchor, target.text))
    function = target.function
    span = doc.full_lines(function.start_line, function.end_line) if function else target.span
    anchor_text = doc.slice(span)
    return EditResult(
        PlannedEdit(
            span, reindent(code, function.indent if function else target.indent, newline=doc.newline), span, anchor_text
        )
    )


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
    schema=object_schema(code="The complete function source code, nothing else."),
    applies=_applies,
    task=_task,
    to_outcome=_outcome,
    retarget=_retarget,
)
