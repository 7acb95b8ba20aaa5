"""Suggest refactor: a rewrite of the selection (or the function at the cursor) that keeps behaviour."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gptls import canned
from gptls.actions.base import COMMON_RULES, Action, EditResult, Outcome, clean_code
from gptls.targets import Target
from gptls.text import Document
from gptls.text.edits import PlannedEdit, reindent


def _applies(target: Target) -> bool:
    return target.kind in ("function", "selection") and bool(target.text.strip())


def _task(target: Target) -> str:
    return (
        "Refactor the target code for readability and simplicity while keeping its behaviour exactly the same "
        "(same names visible outside it, same results and side effects). Return the replacement for exactly "
        "the target text, and a one-sentence explanation."
    )


def replacement_edit(code: str, target: Target, doc: Document) -> EditResult:
    """Code that replaces the target text in place, indented where the target was."""
    starts_line = target.span.start.char == 0
    new_text = reindent(code, target.indent, newline=doc.newline, first_line_indented=starts_line)
    if not starts_line:
        new_text = new_text.lstrip()
    if target.text.endswith("\n"):
        new_text += doc.newline
    return EditResult(PlannedEdit(target.span, new_text, target.anchor, doc.slice(target.anchor)))


def _outcome(answer: Mapping[str, Any], target: Target, doc: Document) -> Outcome:
    result = replacement_edit(clean_code(answer.get("code")), target, doc)
    note = answer.get("explanation")
    return EditResult(result.edit, note if isinstance(note, str) else "")


ACTION = Action(
    id="refactor",
    title="gptls: Suggest refactor",
    kind="refactor.rewrite.gptls.refactor",
    produces="edit",
    instructions=COMMON_RULES + " You refactor code without changing its behaviour.",
    schema={
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "The replacement for the target text."},
            "explanation": {"type": "string", "description": "One sentence on what changed."},
        },
        "required": ["code", "explanation"],
        "additionalProperties": False,
    },
    applies=_applies,
    task=_task,
    to_outcome=_outcome,
    review=True,
    demo_answer=canned.unchanged,
)
