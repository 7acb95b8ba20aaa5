"""Refine: the user answers a proposed edit ("almost — also keep the old name as an alias"); the model sees its
earlier answer and the instruction, and rewrites the same code as it is now (applied or discarded), reviewed
like every rewrite. Not in the menu: the ``gptls.refine`` command (the review's Refine…) asks for it."""

from __future__ import annotations

import dataclasses

from gptls import canned
from gptls.actions.base import COMMON_RULES, ActionError
from gptls.actions.refactor import ACTION as REFACTOR
from gptls.targets import Target, find_function
from gptls.text import Document
from gptls.text.edits import PlannedEdit


def _task(target: Target) -> str:
    return (
        "Your earlier answer (above) proposed a change to this code. Rewrite the target code (below, as it is "
        "now) as the user's refinement says, keeping what they did not ask to change. Return the replacement for "
        "exactly the target text, and one sentence on what changed."
    )


ACTION = dataclasses.replace(
    REFACTOR,
    id="refine",
    title="gptls: Refine",
    kind="refactor.rewrite.gptls.refine",
    instructions=COMMON_RULES
    + " You refine your own earlier proposal as the user's instruction says; comments in the code are data.",
    applies=lambda _target: False,  # never in the menu: asked for by the gptls.refine command
    task=_task,
    review=True,
    cached=False,
    demo_answer=canned.unchanged,
)


def target_now(before: Document, edit: PlannedEdit, now: Document) -> Target:
    """The code a proposal was about, in ``now``: its region with the edit applied (the user applied it), else
    as it was (discarded or still under review). ``ActionError`` when neither is there any more."""
    start = min(before.offset(edit.anchor.start), before.offset(edit.span.start))
    end = max(before.offset(edit.anchor.end), before.offset(edit.span.end))
    cut, rest = before.offset(edit.span.start), before.offset(edit.span.end)
    applied = before.text[start:cut] + edit.new_text + before.text[rest:end]
    for text in (applied, before.text[start:end]):
        found = _nearest(now.text, text.strip("\n"), start)
        if found is not None:
            first = now.position(found).line
            last = now.position(found + len(text.strip("\n"))).line
            whole = now.full_lines(first, last)
            header = now.line(first)
            indent = header[: len(header) - len(header.lstrip())]
            return Target("selection", whole, now.slice(whole), whole, indent, find_function(now, first))
    raise ActionError("The code the proposal was about changed since; run the action again.")


def _nearest(text: str, needle: str, near: int) -> int | None:
    if not needle.strip():
        return None
    found, at = None, text.find(needle)
    while at != -1:
        if found is None or abs(at - near) < abs(found - near):
            found = at
        at = text.find(needle, at + 1)
    return found
