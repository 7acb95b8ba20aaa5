"""Fix: <message> — a fix for a diagnostic another server (pyflakes, ruff, tsc, rustc…) reported.

Offered as a quickfix for up to three diagnostics overlapping the range. The prompt carries each
diagnostic's message, code, source and the lines it points at; the answer replaces the enclosing function,
or the smallest enclosing statement block outside functions.
"""

from __future__ import annotations

from gptls.actions.base import COMMON_RULES, Action, ActionError, Problem, Workspace
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


def title(problem: Problem) -> str:
    first = " ".join(problem.message.split())
    return f"gptls: Fix: {first[:77] + '...' if len(first) > 80 else first}"


def _prepare(doc: Document, span: Span, _found: Target | None, workspace: Workspace) -> tuple[Target, str]:
    """The diagnostics the code action carried (the command line may name several for the lines) decide: the
    block around them, and the problems they state."""
    if not workspace.inputs.problems:
        raise ActionError("This fix names no diagnostic; ask for code actions again.")
    return target_and_detail(doc, span, *workspace.inputs.problems)


def target_and_detail(doc: Document, span: Span, *diagnostics: Problem) -> tuple[Target, str]:
    """What the fix replaces, and the problems as the prompt states them."""
    target = enclosing_block(doc, span)
    first, last = span.start.line, max(span.start.line, span.end.line)
    where = "\n".join(f"{i + 1}: {doc.line(i)}" for i in range(first, min(last, first + 5) + 1))
    problems = []
    for diagnostic in diagnostics:
        label = " ".join(str(x) for x in (diagnostic.source, diagnostic.code) if x not in (None, ""))
        problems.append(
            f"Reported problem ({label or 'diagnostic'}), lines {first + 1}-{last + 1}: {diagnostic.message}"
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
    problem_title=title,
    max_problems=MAX_FIXES,
    demo_answer=REFACTOR.demo_answer,
)
