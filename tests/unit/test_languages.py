"""The one table of languages: everything that knows a language reads it, and every reader it names exists."""

from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest

from gptls import actions, languages
from gptls.actions import write_tests
from gptls.demo import canned_output
from gptls.index.summarize import summarize
from gptls.targets import lexical

SOURCES = {
    "python": "def f(x):\n    return x\n",
    "typescript": "export function f(x: number): number {\n  return x;\n}\n",
    "javascript": "export function f(x) {\n  return x;\n}\n",
    "go": "package p\n\nfunc F(x int) int {\n\treturn x\n}\n",
}


def test_every_language_an_action_names_is_in_the_table() -> None:
    named = {lang for action in (*actions.ALL, actions.BY_ID["fix"]) for lang in (action.languages or ())}
    assert named <= set(languages.BY_ID)


@pytest.mark.parametrize("suffix", sorted(languages.INDEXED_SUFFIXES))
def test_every_indexed_suffix_has_a_reader(suffix: str) -> None:
    reader = languages.INDEXED_SUFFIXES[suffix]
    summary = summarize(f"/p/m{suffix}", SOURCES[reader])
    assert summary is not None and summary.get("f" if reader != "go" else "F") is not None


@pytest.mark.parametrize("language", [lang for lang in languages.LANGUAGES if lang.tests])
def test_every_language_with_a_test_convention_gets_a_test_file(language: languages.Language) -> None:
    source = PurePosixPath("/p/pkg/mod" + language.suffixes[0])
    found = write_tests.test_file_for(source, PurePosixPath("/p"), language.id, lambda _path: False)
    assert found is not None and found != source


def test_a_language_without_a_convention_gets_none() -> None:
    assert write_tests.test_file_for(PurePosixPath("/p/a.rb"), PurePosixPath("/p"), "ruby", lambda _p: False) is None


def test_the_lexical_families_come_from_the_table() -> None:
    assert lexical.C_FAMILY == languages.C_FAMILY and "cpp" in lexical.C_FAMILY
    assert "typescriptreact" in lexical.JS_FAMILY and "go" in lexical.RAW_BACKTICK


def test_suffixes_name_one_language_each() -> None:
    seen: dict[str, str] = {}
    for language in languages.LANGUAGES:
        for suffix in language.suffixes:
            assert suffix not in seen, f"{suffix} is both {seen[suffix]} and {language.id}"
            seen[suffix] = language.id


@pytest.mark.parametrize("language", [lang for lang in languages.LANGUAGES if lang.demo_body])
def test_the_demo_answers_with_the_tables_placeholder(language: languages.Language) -> None:
    body = {
        "input": f"Language: {language.id}\n\nTarget (lines 1-1):\n<<<target\nf()\n>>>target",
        "text": {"format": {"type": "json_schema", "name": "gptls_generate", "schema": {"properties": {"code": {}}}}},
    }
    assert language.demo_body in json.loads(canned_output(body))["code"]


def test_an_unknown_language_gets_line_comments_and_no_facts() -> None:
    assert languages.comment_prefix("brainfuck") == "//"
    assert languages.comment_prefix("Python") == "#"
    assert languages.of_suffix(".xyz") is None


def test_every_line_comment_is_one_the_text_readers_know() -> None:
    openers = languages.COMMENT_OPENERS + languages.NOT_AN_OPENER_ELSEWHERE
    unknown = [lang.id for lang in languages.LANGUAGES if not lang.line_comment.startswith(openers)]
    assert unknown == [], f"add their comment opener to languages.COMMENT_OPENERS: {unknown}"
    assert languages.COMMENT_LINE.match("  <!-- gptls: x -->") and not languages.COMMENT_LINE.match("x = 1")
    assert languages.DESCRIBING_LINE.match('    """Doc."""') and not languages.DESCRIBING_LINE.match("#include <x>")
