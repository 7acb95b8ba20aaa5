"""Write tests: tests for the function at the cursor, appended to the project's test file for that module.

Where they go follows the language's convention — Python ``tests/test_<module>.py`` under the workspace root,
Go ``<name>_test.go`` and TypeScript/JavaScript ``<name>.test.ts`` beside the file — created when missing,
appended otherwise, in the style of what is already there (pytest functions or unittest). Other languages
have no single convention, so the action is not offered there.

A new Python test file must run under plain ``pytest``, not only ``python -m pytest`` (which adds the current
directory to ``sys.path``). Plain pytest imports a test file from the first folder above it without an
``__init__.py``, plus the folders of ``conftest.py`` files and the ``pythonpath`` of its configuration; the
module under test is imported relative to one of those. Where none holds it (a flat project without that
configuration), the test file goes beside the module, where pytest finds and imports both; a ``src/`` package
is imported by its name, as an installed project's tests do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from gptls import canned
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
from gptls.exclusion import OutsideError, excluded_by, resolve_inside
from gptls.languages import WITH_TESTS, language, of_suffix
from gptls.targets import Target
from gptls.text import Document, Span


def _on_disk(path: PurePosixPath) -> bool:
    return Path(path).exists()


HEAD_LINES = 40  # what the prompt shows of an existing test file: its imports and first tests set the style


def test_file_for(
    source: PurePosixPath, root: PurePosixPath, language_id: str, is_there: Callable[[PurePosixPath], bool] = _on_disk
) -> PurePosixPath | None:
    """The test file the convention gives for ``source``; None where there is no clear convention."""
    stem, suffix = source.stem, source.suffix
    by_suffix = of_suffix(suffix)
    convention = language(language_id).tests or (by_suffix.tests if by_suffix else "")
    if convention == "python":
        return python_test_file(source, root, is_there)[0]
    if convention == "go":
        return source.with_name(f"{stem}_test.go")
    if convention == "script":
        return source.with_name(f"{stem}.test{suffix or '.ts'}")
    return None


def python_test_file(
    source: PurePosixPath, root: PurePosixPath, is_there: Callable[[PurePosixPath], bool] = _on_disk
) -> tuple[PurePosixPath, str]:
    """Where the tests for ``source`` go and the module they import it as, so that plain ``pytest`` runs them:
    ``tests/test_<stem>.py`` when it is there (on disk or open) or when pytest would import ``source`` from
    there, else beside ``source``."""
    conventional = root / "tests" / f"test_{source.stem}.py"
    if is_there(conventional):
        return conventional, _module_from(source, importable_from(conventional, root)) or _package_name(source, root)
    module = _module_from(source, importable_from(conventional, root))
    if module is not None:
        return conventional, module
    if _in_src_package(source, root):
        return conventional, _package_name(source, root)
    beside = source.with_name(f"test_{source.stem}.py")
    return beside, _module_from(source, importable_from(beside, root)) or source.stem


def importable_from(test_file: PurePosixPath, root: PurePosixPath) -> list[PurePosixPath]:
    """The folders plain pytest (``--import-mode=prepend``) puts on ``sys.path`` for ``test_file``: the first
    folder above it without ``__init__.py``, those of the ``conftest.py`` files from ``root`` down to it, and
    the configuration's ``pythonpath``."""
    found = [_base_dir(test_file.parent)]
    folder = test_file.parent
    while True:
        if Path(folder, "conftest.py").exists():
            found.append(_base_dir(folder))
        if folder in (root, folder.parent) or not folder.is_relative_to(root):
            break
        folder = folder.parent
    found += [root / entry for entry in _configured_pythonpath(root)]
    return found


def _base_dir(folder: PurePosixPath) -> PurePosixPath:
    while Path(folder, "__init__.py").exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _configured_pythonpath(root: PurePosixPath) -> list[str]:
    """``[tool.pytest.ini_options] pythonpath`` in pyproject.toml, or ``pythonpath`` in pytest.ini."""
    try:
        text = Path(root, "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    if text:
        from gptls.config_sources import load_toml

        try:
            options = load_toml(text).get("tool", {}).get("pytest", {}).get("ini_options", {})
        except ValueError:
            options = {}
        value = options.get("pythonpath") if isinstance(options, dict) else None
        if isinstance(value, str):
            return value.split()
        if isinstance(value, list):
            return [str(v) for v in value]
    import configparser

    ini = configparser.ConfigParser()
    try:
        ini.read(Path(root, "pytest.ini"), encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return []
    return ini.get("pytest", "pythonpath", fallback="").split()


def _module_from(source: PurePosixPath, folders: list[PurePosixPath]) -> str | None:
    """``source``'s dotted name from the nearest of ``folders`` that holds it, or None."""
    names = [
        ".".join(source.relative_to(folder).with_suffix("").parts)
        for folder in folders
        if source.is_relative_to(folder) and source != folder
    ]
    return min(names, key=len) if names else None


def _in_src_package(source: PurePosixPath, root: PurePosixPath) -> bool:
    """A ``src/`` layout: its packages are imported once the project is installed (``pip install -e .``)."""
    return source.is_relative_to(root / "src") and source.parent != root / "src"


def _package_name(source: PurePosixPath, root: PurePosixPath) -> str:
    """The import name an installed project gives ``source`` (``src/`` is not part of it)."""
    module = ".".join(source.relative_to(root).with_suffix("").parts) if source.is_relative_to(root) else source.stem
    return module.removeprefix("src.")


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
    source: PurePosixPath,
    root: PurePosixPath,
    test_file: PurePosixPath,
    existing: str | None,
    lang: str,
    module: str = "",
) -> str:
    """What the prompt says about where the tests go (part of the job, and of the cache key)."""
    where = (
        "It does not exist yet: write the whole file."
        if existing is None
        else (
            "It exists; your code is appended to it. Its beginning:\n" + "\n".join(existing.splitlines()[:HEAD_LINES])
        )
    )
    module = module or (python_test_file(source, root)[1] if lang == "python" else "")
    imports = (
        f"Import the code under test from the module `{module}` (as plain pytest imports it: `from {module} "
        "import ...`)."
        if lang == "python"
        else ""
    )
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
    module: str = ""  # Python: the module under test, as the test file imports it

    def detail(self, language_id: str) -> str:
        return detail(self.source, self.root, self.path, self.existing, language_id, self.module)

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

    def is_there(candidate: PurePosixPath) -> bool:
        return opened(Path(candidate).as_uri()) is not None or Path(candidate).exists()

    path = test_file_for(source, PurePosixPath(root), doc.language_id, is_there)
    module = python_test_file(source, PurePosixPath(root), is_there)[1] if path and path.suffix == ".py" else ""
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
        return TestFile(uri, path, PurePosixPath(root), source, held[0], held[1], module)
    try:
        existing: str | None = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = None
    except (OSError, UnicodeDecodeError) as exc:
        raise ActionError(f"Cannot read the test file {path}: {exc}; nothing was applied.") from None
    return TestFile(uri, path, PurePosixPath(root), source, existing, None, module)


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
    return FileAddition(code, lambda where: locate(doc, where.root, where.exclude, where.opened))


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
    languages=WITH_TESTS,
    prepare=_prepare,
    demo_answer=canned.tests,
)
