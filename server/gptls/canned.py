"""The canned answers ``gptls demo`` gives, each in the shape of its action's answer and marked as canned.

Each action names its own (``Action.demo_answer``); an action without one (a settings-defined one) gets an
answer built from its schema. No model is asked: the answer is made from the target's text and its language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gptls.languages import comment_prefix, language

MARK = "gptls demo: a canned answer, no model was asked"


def marked(code: str, language_id: str) -> str:
    """``code`` with the marker comment above its first line, at that line's indentation."""
    first = next((line for line in code.splitlines() if line.strip()), "")
    indent = first[: len(first) - len(first.lstrip())]
    return f"{indent}{comment_prefix(language_id)} {MARK}\n{code}"


def _only_comments(code: str) -> bool:
    marks = ("#", "//", "--", "/*", "*", ";")
    return all(line.strip().startswith(marks) for line in code.splitlines() if line.strip())


def body(target: str, language_id: str) -> dict[str, Any]:
    """Generate function: a placeholder body (a whole function where the target is a comment describing one)."""
    c = comment_prefix(language_id)
    if _only_comments(target):
        if language_id == "python":
            code = f"def gptls_demo():\n    {c} {MARK}\n    {language('python').demo_body}\n"
        else:
            code = f"{c} {MARK}\n"
    else:
        placeholder = language(language_id).demo_body
        code = f"{c} {MARK}\n{placeholder}\n" if placeholder else f"{c} {MARK}\n"
    return {"code": code}


def unchanged(target: str, language_id: str) -> dict[str, Any]:
    """A rewrite (refactor, fix, instructions): the code as it was, marked."""
    return {"code": marked(target, language_id), "explanation": f"{MARK}; the code is unchanged."}


def tests(_target: str, language_id: str) -> dict[str, Any]:
    template = language(language_id).demo_test or f"{comment_prefix(language_id)} {{mark}}\n"
    return {"code": template.replace("{mark}", MARK)}


def answer(_target: str, _language_id: str) -> dict[str, Any]:
    return {"answer": f"A canned answer ({MARK}); with an API key the model answers your question about this code."}


def docstring(_target: str, _language_id: str) -> dict[str, Any]:
    return {"docstring": f"A canned docstring ({MARK}); with an API key it describes this code."}


def complexity(_target: str, _language_id: str) -> dict[str, Any]:
    return {"time": "O(n) (canned)", "space": "O(1) (canned)", "explanation": f"{MARK}."}


def from_schema(schema: Mapping[str, Any], target: str, language_id: str) -> dict[str, Any]:
    """An answer for an action that names none: the target kept for a code field, the marker elsewhere."""
    fields = sorted(schema.get("properties", {}))
    if "code" in fields:
        return {**{field: f"{MARK}." for field in fields}, **unchanged(target, language_id)}
    return {field: f"{MARK}." for field in fields}
