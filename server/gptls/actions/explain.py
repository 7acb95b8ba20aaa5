"""Explain complexity: time and space complexity with a short reason, as text or as a comment."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from gptls import canned
from gptls.actions.base import (
    COMMON_RULES,
    Action,
    ActionError,
    EditResult,
    Outcome,
    TextResult,
    object_schema,
)
from gptls.languages import comment_prefix
from gptls.targets import Target
from gptls.targets.lexical import comment_problem
from gptls.text import Document, Pos, Span
from gptls.text.edits import PlannedEdit
from gptls.text.shown import code_span, markdown_text

SCHEMA = object_schema(
    time="Time complexity in big-O notation, e.g. O(n log n), with what n is.",
    space="Extra space complexity in big-O notation.",
    explanation="One or two short sentences: why.",
)
INSTRUCTIONS = COMMON_RULES + " You analyse the time and space complexity of code."


def _applies(target: Target) -> bool:
    return target.kind in ("function", "selection", "stub") and bool(target.text.strip())


def _task(target: Target) -> str:
    return "Give the time and space complexity of the target code, with a short reason."


def _fields(answer: Mapping[str, Any]) -> tuple[str, str, str]:
    values = [answer.get(k) for k in ("time", "space", "explanation")]
    if not all(isinstance(v, str) for v in values):
        raise ActionError("The model's answer did not hold a complexity; try again.")
    time, space, why = (str(v).strip() for v in values)
    return time, space, why


def _as_text(answer: Mapping[str, Any], target: Target, doc: Document) -> Outcome:
    time, space, why = _fields(answer)
    function = target.function.name if target.function and target.kind != "selection" else None
    name = code_span(function) if function else "the selection"
    # The model's words are shown as text: nothing in them can become an image, a link or HTML.
    markdown = (
        f"**Complexity of {name}** (gptls)\n\n- Time: {markdown_text(time)}\n- Space: {markdown_text(space)}"
        f"\n\n{markdown_text(why)}"
    )
    plain = f"Complexity of {function or 'the selection'}: time {time}, space {space}. {why}"
    return TextResult(markdown=markdown, plain=plain)


def _as_comment(answer: Mapping[str, Any], target: Target, doc: Document) -> Outcome:
    time, space, why = _fields(answer)
    prefix = comment_prefix(doc.language_id)
    line = target.anchor.start.line
    header = doc.line(line)
    indent = header[: len(header) - len(header.lstrip())]
    words = " ".join(f"Complexity: time {time}, space {space}. {why}".split())
    comment = doc.newline.join(f"{indent}{prefix} {chunk}" for chunk in _wrap(words, 96))
    problem = comment_problem(comment, doc.language_id, doc.newline)
    if problem is not None:  # a comment that could change code is not a comment
        raise ActionError(f"The model's complexity comment was not inserted: {problem}. Nothing was applied.")
    at = Pos(line, 0)
    return EditResult(PlannedEdit(Span(at, at), comment + doc.newline, target.anchor, target.text))


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width) or [text]


ACTION = Action(
    id="explain",
    title="gptls: Explain complexity",
    kind="refactor.gptls.explain",
    produces="text",
    instructions=INSTRUCTIONS,
    schema=SCHEMA,
    applies=_applies,
    task=_task,
    to_outcome=_as_text,
    demo_answer=canned.complexity,
)

# The same question, its answer inserted as a comment: one prompt, so one cached answer serves both.
COMMENT_ACTION = dataclasses.replace(
    ACTION,
    id="explain-comment",
    title="gptls: Insert complexity comment",
    kind="refactor.rewrite.gptls.explainComment",
    produces="edit",
    to_outcome=_as_comment,
    prompt_id="explain",
)
