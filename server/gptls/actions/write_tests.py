"""Write tests: tests for the function at the cursor, appended to the project's test file for that module.

Where they go follows the language's convention — Python ``tests/test_<module>.py`` under the workspace root,
Go ``<name>_test.go`` and TypeScript/JavaScript ``<name>.test.ts`` beside the file — created when missing,
appended otherwise, in the style of what is already there (pytest functions or unittest). Other languages
have no single convention, so the action is not offered there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from gptls.actions.base import (
    COMMON_RULES,
    Action,
    ActionError,
    FileAddition,
    OpenBuffer,
    Outcome,
    Workspace,
    clean_code,
    object_schema,
)
from gptls.privacy import OutsideError, excluded_by, resolve_inside
from gptls.targets import Target
from gptls.text import Document, Span

LANGUAGES = ("python", "go", "typescript", "javascript", "typescriptreact", "javascriptreact")
HEAD_LINES = 40  # what the prompt shows of an existing test file: its imports and first tests set the style


def test_file_for(source: PurePosixPath, root: PurePosixPath, language_id: str) -> PurePosixPath | None:
    """The test file the convention gives for ``source``; None where there is no clear convention."""
    stem, suffix = source.stem, source.suffix
    if language_id == "python" or suffix in (".py", ".pyi"):
        return root / "tests" / f"test_{stem}.py"
    if language_id == "go" or suffix == ".go":
        return source.with_name(f"{stem}_test.go")
    if language_id in LANGUAGES[2:] or suffix in (".ts", ".tsx", ".js", ".jsx", ".mjs"):
        return source.with_name(f"{stem}.test{suffix or '.ts'}")
    return None


def style_of(existing: str | None, language_id: str) -> str:
    """How the tests must be written, read from the test file that is there."""
    if language_id == "python":
        if existing and re.search(r"\bunittest\b", existing) and "TestCase" in existing:
            return "unittest: methods of a unittest.TestCase subclass (add a new class for this function)"
        return "pytest: plain test_* functions with assert"
    if language_id == "go":
        return "Go's testing package: func TestXxx(t *testing.T), table-driven where it fits"
    for framework in ("vitest", "jest", "node:test", "mocha"):
        if existing and framework in existing:
            return f"{framework}, as the existing tests use it"
    return "the project's test framework if the imports show it, else node:test with node:assert"


def detail(
    source: PurePosixPath, root: PurePosixPath, test_file: PurePosixPath, existing: str | None, lang: str
) -> str:
    """What the prompt says about where the tests go (part of the job, and of the cache key)."""
    where = (
        "It does not exist yet: write the whole file."
        if existing is None
        else (
            "It exists; your code is appended to it. Its beginning:\n" + "\n".join(existing.splitlines()[:HEAD_LINES])
        )
    )
    module = ".".join(source.relative_to(root).with_suffix("").parts) if source.is_relative_to(root) else source.stem
    module = module.removeprefix("src.")
    imports = f"Import the code under test from the module `{module}`." if lang == "python" else ""
    return f"Test file: {test_file.relative_to(root) if test_file.is_relative_to(root) else test_file}. {where}\n" + (
        f"Style: {style_of(existing, lang)}. {imports}"
    )


@dataclass(frozen=True)
class TestFile:
    """Where the tests for a source file go, and what is there now."""

    __test__ = False  # not a pytest class
    uri: str
    path: PurePosixPath
    root: PurePosixPath
    source: PurePosixPath
    existing: str | None  # None: the file does not exist yet
    version: int | None  # the editor's version when the file is open

    def detail(self, language_id: str) -> str:
        return detail(self.source, self.root, self.path, self.existing, language_id)

    def addition(self, code: str) -> str:
        """The text that goes at the end of the file (all of it, for a new file): the tests, after a blank
        line or two, in the file's own newline style."""
        body = code.rstrip() + "\n"
        if self.existing is None:
            return body
        newline = Document(self.existing).newline
        lead = ("" if self.existing.endswith(("\n", "\r")) else newline) + (
            newline * 2 if self.existing.strip() else ""
        )
        return lead + body.replace("\n", newline)


def locate(doc: Document, root: str, exclude: tuple[str, ...], opened: OpenBuffer) -> TestFile:
    """The test file for ``doc`` under ``root`` (the workspace folder, or the directory given at the command
    line), as the open buffer holds it, else as the disk does. ``ActionError`` when there is none, or when it is
    a link out of ``root`` or to an excluded file (a repository may link tests/test_app.py to ~/.ssh/id_rsa or
    ~/.bashrc): then it is neither read for the prompt nor written."""
    parsed = urlparse(doc.uri)
    if parsed.scheme != "file":
        raise ActionError("Write tests works on files saved on disk; save this one first.")
    source = PurePosixPath(unquote(parsed.path))
    path = test_file_for(source, PurePosixPath(root), doc.language_id)
    if path is None:
        raise ActionError(f"gptls knows no test-file convention for {doc.language_id}.")
    try:
        resolve_inside(str(path), root)
    except OutsideError as error:
        raise ActionError(f"Write tests: the test file {error}; nothing was sent or applied.") from None
    uri = Path(path).as_uri()
    pattern = excluded_by(uri, exclude)  # the link's own path and where it leads
    if pattern is not None:
        raise ActionError(f"Write tests: the test file {path} matches gptls.exclude ({pattern!r}); not used.")
    held = opened(uri)
    if held is not None:
        return TestFile(uri, path, PurePosixPath(root), source, held[0], held[1])
    try:
        existing: str | None = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = None
    except (OSError, UnicodeDecodeError) as exc:
        raise ActionError(f"Cannot read the test file {path}: {exc}; nothing was applied.") from None
    return TestFile(uri, path, PurePosixPath(root), source, existing, None)


def _prepare(doc: Document, _span: Span, found: Target | None, workspace: Workspace) -> tuple[Target, str] | None:
    """The function's tests go to the test file its convention names; the prompt shows where, and its start."""
    if found is None:
        return None
    tests = locate(doc, workspace.root, workspace.exclude, workspace.opened)
    return found, tests.detail(doc.language_id)


def _task(target: Target) -> str:
    return (
        "Write unit tests for the target function: typical cases, edge cases and errors it raises. Return only "
        "the test code to add (with the imports it needs), nothing else; never modify the function."
    )


def _outcome(answer: Mapping[str, Any], target: Target, doc: Document) -> Outcome:
    code = clean_code(answer.get("code"))
    if doc.is_python:
        try:
            compile(code, "tests", "exec")
        except SyntaxError as exc:
            raise ActionError(f"The model's tests do not parse as Python ({exc.msg}); nothing was applied.") from None
    return FileAddition(code)


ACTION = Action(
    id="write-tests",
    title="gptls: Write tests",
    kind="refactor.gptls.writeTests",
    produces="edit",
    instructions=COMMON_RULES + " You write focused, deterministic unit tests.",
    schema=object_schema(code="The test code to add to the test file, with its imports."),
    applies=lambda target: target.kind == "function",
    task=_task,
    to_outcome=_outcome,
    languages=LANGUAGES,
    prepare=_prepare,
)
