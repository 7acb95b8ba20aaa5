"""A real Emacs (Debian's emacs-nox with elpa-eglot, installed by .ci/run) drives gptls through Eglot.

Eglot 1.9 does not declare codeAction/resolve, so this exercises the command path: gptls computes the edit
and sends workspace/applyEdit, which Eglot applies. Emacs loads the snippet docs/editors.md shows.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.double import replies
from tests.double.server import child_env
from tests.e2e.interpreter import SERVER_BIN

REPO = Path(__file__).resolve().parents[2]
SNIPPET = REPO / "editors" / "emacs" / "gptls.el"
DRIVER = Path(__file__).with_name("emacs_drive.el")
EMACS = shutil.which("emacs")

STUB = 'import math\n\n\ndef area(radius: float) -> float:\n    """Area of a circle."""\n    ...\n'
AREA = 'def area(radius: float) -> float:\n    """Area of a circle."""\n    return math.pi * radius ** 2\n'


def emacs(double, tmp_path: Path, scenario: dict) -> dict:
    """Emacs in batch mode with the snippet, on geometry.py holding STUB, driven through ``scenario``: the
    report (after asserting it holds no errors)."""
    if EMACS is None:
        # CI installs Emacs (.ci/run), so there a missing Emacs is a failure, never a skip.
        assert os.environ.get("CI") != "true", ".ci/run should have installed emacs-nox and elpa-eglot"
        pytest.skip("Emacs is not installed: apt-get install emacs-nox elpa-eglot to run this test")
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    path = project / "geometry.py"
    path.write_text(STUB)
    out = tmp_path / "report.json"
    env = child_env(
        double.env(),
        HOME=str(tmp_path),
        PATH=f"{SERVER_BIN}{os.pathsep}{os.environ['PATH']}",
        GPTLS_SCENARIO=json.dumps({**scenario, "out": str(out)}),
    )
    result = subprocess.run(
        [EMACS, "--batch", "-l", str(SNIPPET), str(path), "-l", str(DRIVER)],
        env=env,
        cwd=project,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert out.exists(), result.stderr[-3000:]
    report = json.loads(out.read_text())
    assert report["errors"] == [], (report, result.stderr[-3000:])
    return {**report, "text": path.read_text()}


def test_emacs_eglot_generates_a_function(double, tmp_path) -> None:
    double.script(replies.json_output({"code": AREA}))
    report = emacs(double, tmp_path, {"line": 6, "col": 4, "kind": "refactor.rewrite.gptls.generate"})
    assert report["text"] == STUB.replace("    ...\n", "    return math.pi * radius ** 2\n")
    assert double.requests[0].body["reasoning"]["effort"] == "low"


def test_emacs_asks_about_the_code_and_a_follow_up(double, tmp_path) -> None:
    double.script(replies.text("It returns the area."), replies.text("A negative radius is not checked."))
    scenario = {
        "line": 4,
        "col": 6,
        "kind": "ask",
        "question": "what does this do?",
        "follow_up": "and a negative radius?",
    }
    first, second = emacs(double, tmp_path, scenario)["answers"]
    assert "It returns the area." in first and "A negative radius is not checked." in second
    follow = double.requests[1].body["input"]
    assert [m["role"] for m in follow] == ["user", "assistant", "user"]


def test_the_docs_show_the_emacs_snippet() -> None:
    assert SNIPPET.read_text().strip() in (REPO / "docs" / "editors.md").read_text()
