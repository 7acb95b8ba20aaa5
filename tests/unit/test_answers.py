"""Reading the model's answer into code or text, whatever shape it came in."""

from __future__ import annotations

import pytest

from gptls.actions import ActionError
from gptls.actions.base import clean_code, parse_answer


def test_structured_json_answer() -> None:
    assert parse_answer('{"code": "x = 1"}', ("code",)) == {"code": "x = 1"}


def test_json_wrapped_in_prose() -> None:
    assert parse_answer('Sure! {"code": "x = 1"} Enjoy.', ("code",))["code"] == "x = 1"


def test_fenced_code_without_json() -> None:
    answer = parse_answer("Here:\n```python\ndef f():\n    return 1\n```\nDone.", ("code", "explanation"))
    assert answer["code"] == "def f():\n    return 1"
    assert "```" not in answer["explanation"]


def test_plain_text_without_json_or_fence_is_the_code() -> None:
    assert parse_answer("return 1", ("code",)) == {"code": "return 1"}


def test_empty_answer_is_an_error() -> None:
    with pytest.raises(ActionError, match="empty"):
        parse_answer("   ", ("code",))


@pytest.mark.parametrize(
    "code",
    ["```python\nx = 1\n```", "```\nx = 1\n```", "\n\nx = 1\n\n", "```py\nx = 1"],
)
def test_fences_inside_the_json_string_are_removed(code) -> None:
    assert clean_code(code) == "x = 1"


@pytest.mark.parametrize("code", [None, 3, "", "```\n```"])
def test_missing_code_is_an_error(code) -> None:
    with pytest.raises(ActionError):
        clean_code(code)
