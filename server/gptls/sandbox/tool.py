"""The run_tests tool: the model's candidate and tests go through the sandbox; the report goes back."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

from gptls.config import Settings
from gptls.openai.wire import FunctionCall, FunctionTool
from gptls.sandbox import Boundary, Limits, TestRun, run_tests
from gptls.text.python_syntax import parse

RUN_TESTS = FunctionTool(
    name="run_tests",
    description=(
        "Run a candidate implementation with tests in a sandbox. The function's doctests run too. "
        "Returns {passed, report}. Call it before giving your final answer; fix the code until it passes."
    ),
    parameters={
        "type": "object",
        "properties": {
            "code": {"type": "string", "description": "The complete candidate function (and any helpers it needs)."},
            "tests": {
                "type": "string",
                "description": "Python test code: top-level assert statements and/or test_* functions.",
            },
        },
        "required": ["code", "tests"],
        "additionalProperties": False,
    },
)


def import_preamble(source: str) -> str:
    """The module's top-level imports, each guarded: project modules may not import in the sandbox."""
    import ast

    try:
        tree = parse(source)
    except SyntaxError:
        return ""
    lines = []
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            statement = ast.unparse(node)
            lines.append(f"try:\n    {statement}\nexcept ImportError:\n    pass\n")
    return "".join(lines)


def limits_for(settings: Settings) -> Limits:
    return Limits(
        wall_seconds=settings.sandbox_timeout,
        cpu_seconds=max(1, int(settings.sandbox_timeout)),
        memory_bytes=settings.sandbox_memory_mb * 1024 * 1024,
        landlock_abi=settings.landlock_abi,
    )


ONE_AT_A_TIME = json.dumps(
    {"passed": False, "report": "Not run: run one test at a time. Only the first run_tests call of a turn runs."}
)


@dataclass
class TestSession:
    """One verified generation: the runs so far and the tests the model wrote last. Bounded: at most one run
    per model turn (``answer_turn``) and ``max_runs`` in all."""

    limits: Limits
    boundary: Boundary
    on_message: Callable[[str], None] | None = None
    preamble: str = ""  # the file's own imports, so the candidate runs as it would in place
    max_runs: int = 4
    runs: list[tuple[str, TestRun]] = field(default_factory=list)
    last_tests: str = ""

    async def answer_turn(self, calls: tuple[FunctionCall, ...]) -> list[tuple[str, str]]:
        """(call_id, output) for every call of one model turn: the first is run, the others are told to wait."""
        outputs = []
        for index, call in enumerate(calls):
            outputs.append((call.call_id, await self.handle(call) if index == 0 else ONE_AT_A_TIME))
        return outputs

    async def handle(self, call: FunctionCall) -> str:
        """The function_call_output for one call of run_tests."""
        if not self.boundary.available:
            return json.dumps(
                {
                    "passed": False,
                    "report": f"run_tests is unavailable ({self.boundary.describe()}): answer with your code.",
                }
            )
        if len(self.runs) >= self.max_runs:
            return json.dumps(
                {"passed": False, "report": "No more test runs for this function: give your final answer."}
            )
        if call.name != RUN_TESTS.name:
            return json.dumps({"passed": False, "report": f"There is no tool called {call.name!r}; use run_tests."})
        try:
            arguments = call.parsed_arguments()
            code, tests = arguments["code"], arguments.get("tests", "")
            if not isinstance(code, str) or not isinstance(tests, str):
                raise TypeError("code and tests must be strings")
        except (ValueError, KeyError, TypeError) as exc:
            self._say(f"round {len(self.runs) + 1}: the model sent unusable arguments")
            return json.dumps(
                {
                    "passed": False,
                    "report": f"Your run_tests arguments were not usable ({exc}); send JSON "
                    '{"code": "...", "tests": "..."}.',
                }
            )
        run = await run_tests(self.preamble + textwrap.dedent(code), tests, self.limits, boundary=self.boundary)
        self.runs.append((textwrap.dedent(code), run))
        self.last_tests = tests
        self._say(f"round {len(self.runs)}: tests {'passed' if run.passed else 'failed'}")
        return json.dumps({"passed": run.passed, "report": run.report})

    async def verify(self, code: str) -> TestRun:
        """The final code against the model's last tests (and its doctests): what the user is told."""
        code = textwrap.dedent(code)
        for tested, run in reversed(self.runs):
            if tested.strip() == code.strip():
                return run
        if not self.boundary.available:
            return TestRun(False, f"Not run: {self.boundary.describe()}.")
        return await run_tests(self.preamble + code, self.last_tests, self.limits, boundary=self.boundary)

    def _say(self, text: str) -> None:
        if self.on_message is not None:
            self.on_message(text)
