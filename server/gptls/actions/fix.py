"""Fix: <message> — a fix for a diagnostic another server (pyflakes, ruff, tsc, rustc…) reported.

Offered as a quickfix for up to three diagnostics overlapping the range. The prompt carries each
diagnostic's message, code, source and the lines it points at; the answer replaces the enclosing function,
or the smallest enclosing statement block outside functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gptls.actions.base import COMMON_RULES, Action, ActionError, Workspace
from gptls.actions.refactor import ACTION as REFACTOR
from gptls.targets import Target, enclosing_block
from gptls.text import Document, Span

MAX_FIXES = 3


def _task(target: Target) -> str:
    return (
        "Fix the reported problems listed below in the target code, changing as little as possible. Return "
        "the replacement for exactly the target text (the same function or block, fixed) and one sentence on "
        "what you changed."
    )


def title(message: str) -> str:
    first = " ".join(message.split())
    return f"gptls: Fix: {first[:77] + '...' if len(first) > 80 else first}"


def _prepare(doc: Document, span: Span, _found: Target | None, workspace: Workspace) -> tuple[Target, str]:
    """The diagnostic the code action carried decides: the block around it, and the problem it states."""
    several = workspace.extra.get("diagnostics")  # the command line may name several for the lines
    if isinstance(several, list) and several and all(isinstance(d, Mapping) for d in several):
        return target_and_detail(doc, span, *several)
    diagnostic = workspace.extra.get("diagnostic")
    if not isinstance(diagnostic, Mapping):
        raise ActionError("This fix names no diagnostic; ask for code actions again.")
    return target_and_detail(doc, span, diagnostic)


def target_and_detail(doc: Document, span: Span, *diagnostics: Mapping[str, Any]) -> tuple[Target, str]:
    """What the fix replaces, and the problems as the prompt states them."""
    target = enclosing_block(doc, span)
    first, last = span.start.line, max(span.start.line, span.end.line)
    where = "\n".join(f"{i + 1}: {doc.line(i)}" for i in range(first, min(last, first + 5) + 1))
    problems = []
    for diagnostic in diagnostics:
        code = diagnostic.get("code")
        source = diagnostic.get("source")
        label = " ".join(str(x) for x in (source, code) if x not in (None, ""))
        problems.append(
            f"Reported problem ({label or 'diagnostic'}), lines {first + 1}-{last + 1}: {diagnostic.get('message', '')}"
        )
    return target, "\n".join(problems) + f"\nThe lines it points at:\n{where}"


ACTION = Action(
    id="fix",
    title="gptls: Fix",
    kind="quickfix",
    produces="edit",
    instructions=COMMON_RULES + " You fix problems that a linter or compiler reported.",
    schema=REFACTOR.schema,
    applies=lambda target: True,
    task=_task,
    to_outcome=REFACTOR.to_outcome,
    prompt_id="fix",
    prepare=_prepare,
)
