"""Each action's outcome through a real Pipeline, in process, against the Responses double: no editor, no
subprocess. What an action does with an answer is tested here; tests/e2e keeps what needs a real client."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gptls.actions import BY_ID, ActionError, EditResult, FileAddition, TextResult, available, fix, write_tests
from gptls.actions.base import Inputs, Workspace
from gptls.config import Settings
from gptls.config_sources import settings_from_env
from gptls.pipeline import Job, Pipeline, job_at, job_for
from gptls.text import Document, Pos, Span
from gptls.text.edits import apply_to_text
from tests.double import replies
from tests.double.server import ResponsesDouble
from tests.markdown import active, html

STUB = 'import math\n\n\ndef area(radius: float) -> float:\n    """Area of a circle."""\n    ...\n'
LOOP = "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n"


@pytest.fixture
def settings(double: ResponsesDouble, tmp_path: Path) -> Settings:
    return dataclasses.replace(settings_from_env(double.env()), state_dir=str(tmp_path), stream=False)


@pytest.fixture
async def pipeline(settings: Settings) -> AsyncIterator[Pipeline]:
    made = Pipeline()
    made.configure(settings)
    yield made
    await made.aclose()


def at(doc: Document, needle: str) -> Span:
    offset = doc.text.index(needle)
    line = doc.text.count("\n", 0, offset)
    char = offset - (doc.text.rfind("\n", 0, offset) + 1)
    return Span(Pos(line, char), Pos(line, char))


def job(action_id: str, text: str, needle: str, language: str = "python", uri: str = "file:///w/geometry.py") -> Job:
    doc = Document(text, language, uri)
    made = job_at(BY_ID[action_id], doc, at(doc, needle))
    assert made is not None, f"{action_id} is not offered at {needle!r}"
    return made


async def test_generate_replaces_only_the_body(pipeline, settings, double) -> None:
    double.script(replies.json_output({"code": "return math.pi * radius ** 2"}))
    made = job("generate", STUB, "...")
    outcome = await pipeline.run(made, settings)
    assert isinstance(outcome, EditResult)
    assert apply_to_text(made.doc, outcome.edit) == STUB.replace("    ...\n", "    return math.pi * radius ** 2\n")


async def test_explain_is_text_and_the_comment_action_inserts_a_comment(pipeline, settings, double) -> None:
    answer = {"time": "O(n)", "space": "O(1)", "explanation": "One pass."}
    double.script(replies.json_output(answer))
    outcome = await pipeline.run(job("explain", LOOP, "result = 0"), settings)
    assert isinstance(outcome, TextResult) and outcome.plain.endswith("One pass.")
    # The hover reads as the model wrote it once rendered (its punctuation escaped, so nothing in it is syntax).
    shown = html(outcome.markdown)
    assert "<li>Time: O(n)</li>" in shown and "<li>Space: O(1)</li>" in shown and "<p>One pass.</p>" in shown
    made = job("explain-comment", LOOP, "result = 0")
    outcome = await pipeline.run(made, settings)  # the same prompt: answered from the cache
    assert isinstance(outcome, EditResult) and len(double.requests) == 1
    assert apply_to_text(made.doc, outcome.edit) == "# Complexity: time O(n), space O(1). One pass.\n" + LOOP


async def test_refactor_replaces_the_function_and_keeps_the_explanation(pipeline, settings, double) -> None:
    double.script(replies.json_output({"code": "def total(items):\n    return sum(items)", "explanation": "sum"}))
    made = job("refactor", LOOP, "result = 0")
    outcome = await pipeline.run(made, settings)
    assert isinstance(outcome, EditResult) and outcome.note == "sum"
    assert apply_to_text(made.doc, outcome.edit) == "def total(items):\n    return sum(items)\n"


async def test_docstring_goes_where_python_wants_it(pipeline, settings, double) -> None:
    double.script(replies.json_output({"docstring": "Sum of the items."}))
    made = job("docstring", LOOP, "result = 0")
    outcome = await pipeline.run(made, settings)
    assert isinstance(outcome, EditResult)
    assert apply_to_text(made.doc, outcome.edit).startswith('def total(items):\n    """Sum of the items."""\n')


async def test_an_edit_that_breaks_python_is_refused(pipeline, settings, double) -> None:
    double.script(replies.json_output({"code": "def total(items):\n    return sum(items"}))
    with pytest.raises(ActionError, match="does not parse as Python"):
        await pipeline.run(job("refactor", LOOP, "result = 0"), settings)


async def test_write_tests_is_an_addition_for_the_test_file(pipeline, settings, double, tmp_path) -> None:
    source = tmp_path / "geometry.py"
    source.write_text(LOOP)
    doc = Document(LOOP, "python", source.as_uri())
    made = job_for(write_tests.ACTION, doc, at(doc, "result = 0"), Workspace(str(tmp_path), settings.exclude))
    assert made is not None
    double.script(
        replies.json_output({"code": "from geometry import total\n\ndef test_empty():\n    assert total([]) == 0"})
    )
    outcome = await pipeline.run(made, settings)
    assert isinstance(outcome, FileAddition) and outcome.code.startswith("from geometry import total")
    # A flat project without pytest configuration: the tests go beside the module, where plain pytest imports it.
    assert "Test file: test_geometry.py. It does not exist yet" in double.requests[0].body["input"]


async def test_fix_carries_the_diagnostic(pipeline, settings, double) -> None:
    text = "def f():\n    return pth\n"
    doc = Document(text, "python", "file:///w/f.py")
    diagnostic = {"message": "undefined name 'pth'", "source": "pyflakes"}
    made = job_for(
        fix.ACTION, doc, at(doc, "pth"), Workspace("/w", inputs=Inputs.from_data({"diagnostic": diagnostic}))
    )
    assert made is not None
    double.script(replies.json_output({"code": "def f():\n    return path", "explanation": "typo"}))
    outcome = await pipeline.run(made, settings)
    assert isinstance(outcome, EditResult) and "undefined name 'pth'" in double.requests[0].body["input"]


async def test_settings_defined_actions_edit_or_explain(pipeline, settings, double) -> None:
    specs = [
        {"title": "Add type hints", "instructions": "Add hints.", "scope": "function"},
        {"title": "Review", "instructions": "Review it.", "result": "explain"},
    ]
    configured = settings.updated({"actions": specs}).settings
    hints, review = (a for a in available(configured) if a.id.startswith("custom:"))
    doc = Document(LOOP, "python", "file:///w/loop.py")
    double.script(
        replies.json_output({"code": "def total(items: list[int]) -> int:\n    return sum(items)", "explanation": ""}),
        replies.json_output({"explanation": "Fine. ![x](http://attacker.example/i)"}),
    )
    edit_job, explain_job = (job_at(a, doc, at(doc, "result = 0")) for a in (hints, review))
    assert edit_job is not None and explain_job is not None
    edited = await pipeline.run(edit_job, configured)
    assert isinstance(edited, EditResult) and "list[int]" in edited.edit.new_text
    explained = await pipeline.run(explain_job, configured)
    assert isinstance(explained, TextResult) and active(explained.markdown) == []
    assert "Fine. ![x](http://attacker.example/i)" in html(explained.markdown)


async def test_the_verified_verdict_is_typed(pipeline, settings, double) -> None:
    good = 'def area(radius: float) -> float:\n    """Area of a circle."""\n    return 3.0 * radius ** 2\n'
    double.script(
        replies.function_call("run_tests", {"code": good, "tests": "assert area(1) == 3.0\n"}),
        replies.json_output({"code": good}),
    )
    outcome = await pipeline.run(job("generate-verified", STUB, "..."), settings)
    assert isinstance(outcome, EditResult) and outcome.verdict is not None
    assert outcome.verdict.trusted and outcome.verdict.runs == 1 and outcome.note.startswith("tests passed")


async def test_without_tests_the_verdict_is_never_trusted(pipeline, settings, double) -> None:
    good = 'def area(radius: float) -> float:\n    """Area of a circle."""\n    return 3.0 * radius ** 2\n'
    double.script(replies.json_output({"code": good}))
    outcome = await pipeline.run(job("generate-verified", STUB, "..."), settings)
    assert isinstance(outcome, EditResult) and outcome.verdict is not None
    assert not outcome.verdict.trusted and outcome.note.startswith("no tests were run")
