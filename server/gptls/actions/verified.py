"""Generate function (verified): the model tests its own code with run_tests before answering."""

from __future__ import annotations

from gptls import canned
from gptls.actions import generate
from gptls.actions.base import COMMON_RULES, Action, object_schema
from gptls.sandbox.tool import RUN_TESTS
from gptls.targets import Target


def _task(target: Target) -> str:
    return (
        generate.ACTION.task(target)
        + " Before answering, call run_tests with your candidate and tests that check it (edge cases "
        "included); if they fail, fix the code and run them again. Then answer with the final code."
    )


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
    to_outcome=generate.ACTION.to_outcome,  # the pipeline adds the verdict of the final run
    retarget=generate.ACTION.retarget,
    tools=(RUN_TESTS,),
    languages=("python",),
    demo_answer=canned.body,
)
