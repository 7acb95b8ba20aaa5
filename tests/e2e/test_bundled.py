"""The server the .vsix carries (client-vscode/bundled/libs) runs on every supported Python.

The extension runs those libraries with whatever Python 3.9+ it finds, so one set must work on all of them:
each CPython from 3.9 to 3.13 starts it over stdio (nothing of gptls installed in that interpreter) with a
TOML user config (tomllib, or its backport before 3.11) and serves an action.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.double import replies
from tests.e2e.interpreter import SUPPORTED, installed_python

REPO = Path(__file__).resolve().parents[2]
LIBS = REPO / "client-vscode" / "bundled" / "libs"
STUB = "def area(width: float, height: float) -> float:\n    ...\n"


@pytest.mark.parametrize("version", SUPPORTED)
async def test_the_bundled_server_serves_an_action_on_each_python(make_editor, tmp_path, version) -> None:
    python = installed_python(version)
    in_ci = os.environ.get("CI") == "true"
    if python is None or not (LIBS / "gptls").is_dir():
        assert not in_ci, f"CI has pyenv's Python {version} and builds {LIBS} (npm run package) first"
        pytest.skip(f"needs pyenv's Python {version} and {LIBS} (npm run package in client-vscode)")
    bare = subprocess.run([str(python), "-c", "import gptls"], capture_output=True, check=False, env={})
    assert bare.returncode != 0, f"{python} can import gptls by itself: the test would not prove the bundle"
    (tmp_path / "config" / "gptls").mkdir(parents=True)
    (tmp_path / "config" / "gptls" / "config.toml").write_text('reasoningEffort = "low"\n')
    editor = await make_editor(
        command=[str(python), "-s", "-m", "gptls"],
        env={"PYTHONPATH": str(LIBS), "XDG_CONFIG_HOME": str(tmp_path / "config")},
    )
    uri = editor.open("area.py", STUB)
    editor.double.script(replies.json_output({"code": "    return width * height\n"}))
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    assert editor.buffers[uri] == "def area(width: float, height: float) -> float:\n    return width * height\n"
    request = editor.double.requests[-1]
    assert request.body["reasoning"]["effort"] == "low", "the TOML config was read"
