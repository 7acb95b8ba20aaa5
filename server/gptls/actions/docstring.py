"""Add docstring: the same function with a docstring or doc comment in the language's convention."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gptls.actions.base import COMMON_RULES, Action, Outcome, clean_code, object_schema
from gptls.actions.refactor import replacement_edit
from gptls.targets import Target
from gptls.text import Document


def _applies(target: Target) -> bool:
    return target.kind in ("function", "stub")


def _task(target: Target) -> str:
    return (
        "Return the target function unchanged except for a concise docstring (or the language's doc comment "
        "convention) describing what it does, its parameters and its result. Do not change any code."
    )


def _outcome(answer: Mapping[str, Any], target: Target, doc: Document) -> Outcome:
    return replacement_edit(clean_code(answer.get("code")), target, doc)


ACTION = Action(
    id="docstring",
    title="gptls: Add docstring",
    kind="refactor.rewrite.gptls.docstring",
    produces="edit",
    instructions=COMMON_RULES + " You write documentation for code.",
    schema=object_schema(code="The whole target function with its new docstring, nothing else."),
    applies=_applies,
    task=_task,
    to_outcome=_outcome,
)
