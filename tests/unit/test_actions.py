"""Each action's whole behaviour as one object, without a model or an editor: where it is offered, what its
demo answer becomes, what it takes (problems, an instruction), what its outcome is. Milliseconds each."""

from __future__ import annotations

from pathlib import Path

import pytest

from gptls import actions
from gptls.actions import ActionError, EditResult, FileAddition, TextResult
from gptls.actions.base import Answer, Inputs, Problem, Verdict, Workspace
from gptls.canned import MARK
from gptls.config import Settings
from gptls.config_values import ActionSpec
from gptls.pipeline import job_for, outcome_of
from gptls.text import Document, Pos, Span
from gptls.text.edits import apply_to_text

STUB = 'import math\n\n\ndef area(radius: float) -> float:\n    """Area of a circle."""\n    ...\n'
BODY = "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n"
INSTRUCTED = "# gptls: make it handle None\ndef total(items):\n    return sum(items)\n"
OFFERED = {  # the built-in actions offered on each sample, by id (verified needs its setting; fix a diagnostic)
    "stub": {"generate", "generate-verified", "explain", "explain-comment", "docstring", "ask"},
    "body": {"explain", "explain-comment", "refactor", "docstring", "write-tests", "ask"},
}


def at(doc: Document, needle: str) -> Span:
    offset = doc.text.index(needle)
    line = doc.text.count("\n", 0, offset)
    char = offset - (doc.text.rfind("\n", 0, offset) + 1)
    return Span(Pos(line, char), Pos(line, char))


def offered(text: str, needle: str) -> set[str]:
    from gptls.targets import target_at

    doc = Document(text, "python", "file:///w/geometry.py")
    target = target_at(doc, at(doc, needle))
    assert target is not None
    return {a.id for a in actions.ALL if a.offers is None and not a.takes_problems and a.offered(target, doc)}


def test_each_action_is_offered_where_its_target_is() -> None:
    assert offered(STUB, "...") == OFFERED["stub"]
    assert offered(BODY, "result = 0") == OFFERED["body"]


def test_fix_is_offered_once_a_problem_up_to_its_limit_and_carries_it() -> None:
    fix = actions.BY_ID["fix"]
    problems = [Problem(f"undefined name 'x{i}'", "F821", "pyflakes") for i in range(5)]
    offers = fix.problem_offers(problems)
    assert [o.title for o in offers] == [f"gptls: Fix: undefined name 'x{i}'" for i in range(3)]
    assert offers[0].inputs == Inputs(problems=(problems[0],))
    assert all(a.problem_offers(problems) == [] for a in actions.ALL if a is not fix)


def test_inputs_travel_in_a_code_actions_data_and_bad_ones_are_dropped() -> None:
    inputs = Inputs(problems=(Problem("bad", 7, "tsc"),), instruction="make it async")
    assert Inputs.from_data(inputs.to_data()) == inputs
    assert Inputs.from_data({"diagnostic": {"message": "old shape", "code": "E1"}}).problems == (
        Problem("old shape", "E1"),
    )
    assert Inputs.from_data({"diagnostics": [{"code": 1}, "x", {"message": 3}], "instruction": 5}) == Inputs()


def test_instruct_is_offered_from_the_comment_and_takes_the_instruction() -> None:
    instruct = actions.BY_ID["instruct"]
    doc = Document(INSTRUCTED, "python", "file:///w/t.py")
    (offer,) = instruct.offers(doc, at(doc, "return sum")) if instruct.offers else []
    assert offer.title == "gptls: Edit as instructed: make it handle None"
    job = job_for(instruct, doc, at(doc, "return sum"), Workspace("/w", inputs=offer.inputs))
    assert job is not None and job.asked_by_file and "make it handle None" in job.detail
    assert instruct.takes_instruction and not actions.BY_ID["refactor"].takes_instruction


def test_an_action_that_needs_what_it_was_not_given_says_so() -> None:
    doc = Document(BODY, "python", "file:///w/t.py")
    with pytest.raises(ActionError, match="names no diagnostic"):
        job_for(actions.BY_ID["fix"], doc, at(doc, "result"), Workspace("/w"))
    with pytest.raises(ActionError, match="Say what to do"):
        job_for(actions.BY_ID["instruct"], doc, at(doc, "result"), Workspace("/w"))


@pytest.mark.parametrize("action_id", sorted(a.id for a in actions.ALL))
def test_each_demo_answer_becomes_a_marked_outcome_of_its_own_kind(action_id: str, tmp_path: Path) -> None:
    action = actions.BY_ID[action_id]
    assert action.demo_answer is not None, f"{action_id} has no demo answer"
    uri = (tmp_path / "geometry.py").as_uri()
    text, needle = (STUB, "...") if "generate" in action_id else (INSTRUCTED, "return sum")
    doc = Document(text, "python", uri)
    inputs = Inputs(problems=(Problem("undefined name 'x'"),)) if action.takes_problems else Inputs()
    job = job_for(action, doc, at(doc, needle), Workspace(str(tmp_path), inputs=inputs))
    assert job is not None
    outcome = outcome_of(job, Answer(action.demo_answer(job.target.text, "python")))
    shown = {
        TextResult: lambda o: o.markdown,
        EditResult: lambda o: apply_to_text(doc, o.edit),
        FileAddition: lambda o: o.destination(Workspace(str(tmp_path))).addition(o.code),
    }[type(outcome)](outcome)
    assert MARK in shown or "canned" in shown
    assert (action.produces == "text") == isinstance(outcome, TextResult)


def test_write_tests_says_where_its_file_goes_as_the_file_is_now(tmp_path: Path) -> None:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_geometry.py").write_text("import pytest\n")
    doc = Document(BODY, "python", (tmp_path / "geometry.py").as_uri())
    action = actions.BY_ID["write-tests"]
    job = job_for(action, doc, at(doc, "result = 0"), Workspace(str(tmp_path)))
    assert job is not None
    outcome = outcome_of(job, Answer({"code": "def test_x():\n    assert True"}))
    assert isinstance(outcome, FileAddition)
    where = outcome.destination(Workspace(str(tmp_path), opened=lambda _uri: ("import unittest\n", 4)))
    assert where.path == tmp_path / "tests" / "test_geometry.py" and where.version == 4
    assert where.addition(outcome.code).startswith("\n\ndef test_x")


def test_only_actions_that_run_code_ask_for_consent_and_carry_a_verdict() -> None:
    assert {a.id for a in actions.ALL if a.runs_code} == {"generate-verified"}
    doc = Document(STUB, "python", "file:///w/g.py")
    job = job_for(actions.BY_ID["generate-verified"], doc, at(doc, "..."), Workspace("/w"))
    assert job is not None
    verdict = Verdict(tested=True, passed=False, runs=2, report="assert 1 == 2")
    outcome = outcome_of(job, Answer({"code": "return 1.0"}, verdict))
    assert isinstance(outcome, EditResult) and outcome.verdict is verdict
    assert outcome.note.startswith("tests did NOT pass") and not verdict.trusted


def test_a_settings_defined_explanation_is_remembered_as_the_hover() -> None:
    spec = ActionSpec(title="Summarize", instructions="Say what it does.", result="explain")
    made = actions.available(Settings(actions=(spec,)))[-1]
    assert made.remembered_as_hover and made.demo_answer is None
    assert {a.id for a in actions.ALL if a.remembered_as_hover} == {"ask"}  # Explain this code


def test_each_action_has_its_row_in_the_docs() -> None:
    from gptls.config import BUILT_IN_TITLES

    page = (Path(__file__).resolve().parents[2] / "docs" / "actions.md").read_text()
    missing = [a.short_title for a in actions.ALL if f"| **{a.short_title}" not in page]
    assert missing == [], f"docs/actions.md has no row for {missing}"
    assert {a.short_title for a in actions.ALL} == set(BUILT_IN_TITLES)


def test_the_demo_answers_an_ask_with_the_asks_own_canned_answer() -> None:
    from gptls.actions import ask
    from gptls.demo import canned_output

    body = {
        "input": "Language: python\n\nTarget (lines 1-1):\n<<<target\nf()\n>>>target",
        "instructions": ask.INSTRUCTIONS,
    }
    assert canned_output(body).startswith("A canned answer") and MARK in canned_output(body)
    completion = {"input": "Language: python\n", "instructions": "complete the code"}
    assert canned_output(completion) == f" # {MARK}"


@pytest.mark.parametrize(
    ("text", "needle", "action_id", "answer", "expected"),
    [
        (  # a method: a long header, a comment under it, and the next method; the comment stays above the body
            "class Cart:\n    def total(\n        self, tax: float,\n    ) -> float:  # soon\n"
            "        # sum the items, then the tax\n\n    def count(self) -> int:\n        return 1\n",
            "def total",
            "generate",
            {"code": "return sum(self.items) * (1 + tax)"},
            "class Cart:\n    def total(\n        self, tax: float,\n    ) -> float:  # soon\n"
            "        # sum the items, then the tax\n        return sum(self.items) * (1 + tax)\n\n"
            "    def count(self) -> int:\n        return 1\n",
        ),
        (  # the cursor on the comment under the header: it is that function's body, not a new function's brief
            "def total(cart):\n    # sum the items\n",
            "# sum the items",
            "generate",
            {"code": "return sum(cart)"},
            "def total(cart):\n    # sum the items\n    return sum(cart)\n",
        ),
        (  # parameters aligned under the parenthesis: the body is indented one level, not as they are
            "def total(cart,\n          tax):\n\n\ndef after():\n    return 2\n",
            "def total",
            "generate",
            {"code": "return cart * tax"},
            "def total(cart,\n          tax):\n    return cart * tax\n\n\ndef after():\n    return 2\n",
        ),
        (  # a file indented with tabs, the buffer ending at the colon
            "def one():\n\treturn 1\n\n\ndef two(x):",
            "def two",
            "generate",
            {"code": "y = x * 2\nreturn y"},
            "def one():\n\treturn 1\n\n\ndef two(x):\n\ty = x * 2\n\treturn y",
        ),
        (
            "def two(x):\n\n\ndef three():\n    return 3\n",
            "def two",
            "docstring",
            {"docstring": "Twice x."},
            'def two(x):\n    """Twice x."""\n\n\ndef three():\n    return 3\n',
        ),
    ],
)
def test_a_function_begun_with_no_body_gets_its_body_or_docstring_under_its_header(
    text: str, needle: str, action_id: str, answer: dict, expected: str, tmp_path: Path
) -> None:
    doc = Document(text, "python", (tmp_path / "cart.py").as_uri())
    job = job_for(actions.BY_ID[action_id], doc, at(doc, needle), Workspace(str(tmp_path)))
    assert job is not None and job.target.kind == "stub"
    outcome = outcome_of(job, Answer(answer))
    assert isinstance(outcome, EditResult)
    assert apply_to_text(doc, outcome.edit) == expected
