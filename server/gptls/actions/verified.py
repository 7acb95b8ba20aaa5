"""Generate function (verified): the model tests its own code with run_tests before answering."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gptls.actions import generate
from gptls.actions.base import COMMON_RULES, Action, EditResult, Outcome, object_schema
from gptls.sandbox.tool import RUN_TESTS
from gptls.targets import Target
from gptls.text import Document


def _task(target: Target) -> str:
    return (
        generate.ACTION.task(target)
        + " Before answering, call run_tests with your candidate and tests that check it (edge cases "
        "included); if they fail, fix the code and run them again. Then answer with the final code."
    )


def _outcome(answer: Mapping[str, Any], target: Target, doc: Document) -> Outcome:
    result = generate.ACTION.to_outcome(answer, target, doc)
    assert isinstance(result, EditResult)
    check = answer.get("_verification") or {}
    rounds = check.get("rounds", 0)
    if check.get("unavailable"):
        note = f"not tested: the model's code was not run, because there is {check['unavailable']}; check the code"
    elif not check.get("tested"):
        # Doctests alone, or nothing at all, prove nothing the model chose to test: never "tests passed".
        note = "no tests were run (the model answered without testing its code); check the code"
    elif check.get("passed"):
        note = f"tests passed (after {rounds} test run{'s' if rounds != 1 else ''})"
    else:
        note = f"tests did NOT pass; check the code. Report: {str(check.get('report', 'no tests were run'))[:600]}"
    return EditResult(result.edit, note)


ACTION = Action(
    id="generate-verified",
    title="gptls: Generate function (verified)",
    kind="refactor.rewrite.gptls.generateVerified",
    produces="edit",
    instructions=COMMON_RULES
    + " You implement functions and prove them with the run_tests tool before giving your final answer.",
    schema=object_schema(code="The complete final function source code, nothing else."),
    applies=generate.ACTION.applies,
    task=_task,
    to_outcome=_outcome,
    retarget=generate.ACTION.retarget,
    tools=(RUN_TESTS,),
    languages=("python",),
)
