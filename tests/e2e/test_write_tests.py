"""Write tests over stdio: tests for a function go into the project's test file, created or appended, in
the style already there, as one versioned workspace edit."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from tests.double import replies

ROOT = Path("/tmp/gptls-e2e")  # the editor's workspace root
FUNCTION = "def clamp(x: int, low: int, high: int) -> int:\n    return max(low, min(x, high))\n"
PYTEST = "from {module} import clamp\n\n\ndef test_clamp_inside():\n    assert clamp(5, 0, 10) == 5\n"


def module() -> str:
    return f"mod_{uuid.uuid4().hex[:8]}"  # a test file that surely does not exist on disk


async def test_a_missing_test_file_is_created_with_the_tests(editor) -> None:
    # A module at the root of a project with no pytest configuration: plain pytest would not import it from
    # tests/, so its tests go beside it.
    name = module()
    uri = editor.open(f"{name}.py", FUNCTION)
    tests = PYTEST.format(module=name)
    editor.double.script(replies.json_output({"code": tests}))
    await editor.run(uri, editor.cursor(uri, "return max"), "write-tests")
    created = (ROOT / f"test_{name}.py").as_uri()
    assert editor.created == [created]
    assert editor.buffers[created] == tests
    assert [d.uri for d in editor.client.shown_documents] == [created], "the editor opens the file it wrote"
    assert editor.buffers[uri] == FUNCTION, "the function is untouched"
    prompt = editor.double.requests[0].body["input"]
    assert f"test_{name}.py. It does not exist yet" in prompt and f"from the module `{name}`" in prompt
    assert "pytest: plain test_* functions" in prompt


LAYOUTS = {
    # name: (files, the module's path, where the tests go, the module as plain pytest imports it)
    "flat": ({}, "stats.py", "test_stats.py", "stats"),
    "flat with tests/ and a conftest.py": (
        {"conftest.py": "", "tests/.keep": ""},
        "stats.py",
        "tests/test_stats.py",
        "stats",
    ),
    "src/ with pythonpath": (
        {
            "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
            "src/shop/__init__.py": "",
            "tests/.keep": "",
        },
        "src/shop/stats.py",
        "tests/test_stats.py",
        "shop.stats",
    ),
    "a package with tests/ as a package": (
        {"shop/__init__.py": "", "tests/__init__.py": ""},
        "shop/stats.py",
        "tests/test_stats.py",
        "shop.stats",
    ),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
async def test_written_tests_run_under_plain_pytest(make_editor, tmp_path, layout) -> None:
    files, source, expected, module_name = LAYOUTS[layout]
    root = tmp_path / "project"
    for relative, text in {**files, source: FUNCTION}.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    editor = await make_editor(root=str(root))
    uri = editor.open_uri((root / source).as_uri(), FUNCTION)
    editor.double.script(replies.json_output({"code": PYTEST.format(module=module_name)}))
    await editor.run(uri, editor.cursor(uri, "return max"), "write-tests")
    written = root / expected
    assert editor.created == [written.as_uri()]
    assert f"from the module `{module_name}`" in editor.double.requests[0].body["input"]
    written.write_text(editor.buffers[written.as_uri()])
    # Plain `pytest`, run in the project as a user runs it (not `python -m pytest`, which adds the cwd).
    ran = subprocess.run(
        [str(Path(sys.executable).parent / "pytest"), "-q", "-p", "no:cacheprovider", str(written)],
        cwd=root,
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stdout[-2000:]
    assert "1 passed" in ran.stdout


async def test_an_existing_unittest_file_is_appended_to_in_its_style(editor) -> None:
    name = module()
    uri = editor.open(f"{name}.py", FUNCTION)
    existing = f"import unittest\n\nfrom {name} import clamp\n\n\nclass ClampTest(unittest.TestCase):\n    pass\n"
    test_uri = editor.open(f"tests/test_{name}.py", existing)
    added = (
        "class ClampEdges(unittest.TestCase):\n    def test_low(self):\n        self.assertEqual(clamp(-1, 0, 9), 0)"
    )
    editor.double.script(replies.json_output({"code": added}))
    await editor.run(uri, editor.cursor(uri, "return max"), "write-tests")
    assert editor.buffers[test_uri] == existing + "\n\n" + added + "\n"
    assert editor.created == []
    prompt = editor.double.requests[0].body["input"]
    assert "unittest: methods of a unittest.TestCase subclass" in prompt and "class ClampTest" in prompt
    edit = editor.applied[-1].edit if editor.applied else None
    if edit is not None:  # the command path: the edit names the open test file's version
        (change,) = edit.document_changes
        assert change.text_document.version == 1


async def test_go_tests_go_beside_the_file(editor) -> None:
    name = module()
    uri = editor.open(f"{name}.go", "package m\n\nfunc Double(x int) int {\n\treturn x * 2\n}\n", language="go")
    code = (
        'package m\n\nimport "testing"\n\nfunc TestDouble(t *testing.T) {\n\tif Double(2) != 4 {\n\t\tt.Fatal()\n\t}\n}'
    )
    editor.double.script(replies.json_output({"code": code}))
    await editor.run(uri, editor.cursor(uri, "return x"), "write-tests")
    assert editor.created == [(ROOT / f"{name}_test.go").as_uri()]


async def test_write_tests_is_offered_only_where_a_convention_is_clear(editor) -> None:
    rust = editor.open("lib.rs", "fn double(x: i32) -> i32 {\n    x * 2\n}\n", language="rust")
    assert "write-tests" not in {a.data["action"] for a in await editor.actions(rust, editor.cursor(rust, "x * 2"))}
    py = editor.open(f"{module()}.py", FUNCTION)
    assert "write-tests" in {a.data["action"] for a in await editor.actions(py, editor.cursor(py, "return max"))}


async def test_an_editor_that_cannot_create_files_is_told_what_to_do(make_editor) -> None:
    caps = lsp.ClientCapabilities(
        text_document=lsp.TextDocumentClientCapabilities(code_action=lsp.CodeActionClientCapabilities()),
        workspace=lsp.WorkspaceClientCapabilities(
            apply_edit=True, workspace_edit=lsp.WorkspaceEditClientCapabilities(document_changes=True)
        ),
    )
    editor = await make_editor(capabilities=caps)
    name = module()
    uri = editor.open(f"{name}.py", FUNCTION)
    editor.double.script(replies.json_output({"code": PYTEST.format(module=name)}))
    await editor.run(uri, editor.cursor(uri, "return max"), "write-tests")
    await editor.until(
        lambda: any(f"cannot create files through LSP: create {ROOT}/test_{name}.py" in m for m in editor.messages())
    )
