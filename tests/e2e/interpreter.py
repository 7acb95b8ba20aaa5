"""The Python the server under test runs on: pytest's own, or ``GPTLS_SERVER_PYTHON``.

pytest and pytest-lsp need Python 3.10+, the server supports 3.9+: ``.ci/run`` runs the end-to-end tests once
more for each supported CPython with only the server on it (README: Development).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SERVER_PYTHON = os.environ.get("GPTLS_SERVER_PYTHON") or sys.executable
SERVER_COMMAND = [SERVER_PYTHON, "-m", "gptls"]
# Where that Python's `gptls` script is (the editor snippets start `gptls` from PATH). Not resolved: a venv's
# python is a symlink to the base interpreter, whose directory has no gptls.
SERVER_BIN = Path(SERVER_PYTHON).parent

SUPPORTED = ("3.9", "3.10", "3.11", "3.12", "3.13")  # pyproject.toml's requires-python, and README


def installed_python(version: str) -> Path | None:
    """This machine's CPython ``version`` (the newest patch release pyenv has), or None."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = [p for p in root.glob(f"{version}.*/bin/python{version}") if p.parent.parent.name.count(".") == 2]
    found.sort(key=lambda p: tuple(int(x) for x in p.parent.parent.name.split(".") if x.isdigit()))
    return found[-1] if found else None
