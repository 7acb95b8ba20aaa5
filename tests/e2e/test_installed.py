"""The release artifacts as a user gets them: the wheel installed into a fresh venv outside the checkout,
then that installed `gptls` driven over stdio through initialize and one action against the double."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.double import replies
from tests.e2e.test_actions import AREA, IMPLEMENTED, STUB

REPO = Path(__file__).resolve().parents[2]


def artifacts(tmp_path: Path) -> tuple[Path, Path]:
    """The sdist and wheel .ci/run built into dist/ (built here when a developer runs the test alone)."""
    dist = REPO / "dist"
    if not list(dist.glob("gptls-*.whl")):
        assert os.environ.get("CI") != "true", ".ci/run builds dist/ before the tests"
        dist = tmp_path / "dist"
        subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(dist), str(REPO)], check=True, capture_output=True
        )
    (wheel,) = dist.glob("gptls-*.whl")
    (sdist,) = dist.glob("gptls-*.tar.gz")
    return sdist, wheel


def test_the_wheel_and_sdist_carry_only_the_package(tmp_path) -> None:
    sdist, wheel = artifacts(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert all(n.startswith(("gptls/", "gptls-")) for n in names), [n for n in names if not n.startswith("gptls")]
    assert "gptls/sandbox/seccomp.py" in names and "gptls/py.typed" in names
    with tarfile.open(sdist) as archive:
        members = [m.split("/", 1)[1] for m in archive.getnames() if "/" in m]
    assert not [m for m in members if m.startswith(("tests/", "bench/", "client-vscode/", ".ci/", "editors/"))]
    assert "server/gptls/cli/__init__.py" in members and "CHANGELOG.md" in members


async def test_the_installed_wheel_serves_an_action(make_editor, tmp_path) -> None:
    _sdist, wheel = artifacts(tmp_path)
    venv = tmp_path / "fresh-venv"  # outside the checkout: nothing of the source tree is importable
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr[-2000:]
    gptls = venv / "bin" / "gptls"
    version = subprocess.run([str(gptls), "--version"], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert version.stdout.startswith("gptls ")
    editor = await make_editor(command=[str(gptls)])
    uri = editor.open("geometry.py", STUB)
    editor.double.script(replies.json_output({"code": AREA}))
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    assert editor.buffers[uri] == IMPLEMENTED


def test_pipx_installs_gptls_from_the_checkout_where_the_system_python_is_externally_managed(tmp_path) -> None:
    # Debian 12 and Ubuntu 24.04: the system Python refuses `pip install` (PEP 668), so README's way for other
    # editors is `pipx install .` from the checkout; pipx makes gptls its own venv.
    system = Path("/usr/bin/python3")
    managed = list(Path("/usr/lib").glob("python3*/EXTERNALLY-MANAGED"))
    pipx = Path("/usr/bin/pipx")
    if not (system.exists() and managed and pipx.exists()):
        assert os.environ.get("CI") != "true", ".ci/run installs Debian's pipx, on Debian's externally managed Python"
        pytest.skip("needs Debian's python3 (externally managed) and pipx")
    refused = subprocess.run(
        [str(system), "-m", "pip", "install", "--dry-run", "build"], capture_output=True, text=True, check=False
    )
    assert refused.returncode != 0 and "externally-managed-environment" in refused.stdout + refused.stderr
    env = {
        **os.environ,
        "PIPX_HOME": str(tmp_path / "pipx"),
        "PIPX_BIN_DIR": str(tmp_path / "bin"),
        "PIPX_DEFAULT_PYTHON": str(system),
    }
    env.pop("VIRTUAL_ENV", None)
    installed = subprocess.run(
        [str(pipx), "install", str(REPO)], capture_output=True, text=True, env=env, timeout=900, check=False
    )
    assert installed.returncode == 0, installed.stdout[-2000:] + installed.stderr[-2000:]
    gptls = tmp_path / "bin" / "gptls"
    demo = subprocess.run(
        [str(gptls), "--demo", "run", "generate", "examples/shapes.py:6"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={k: v for k, v in env.items() if k != "OPENAI_API_KEY"},
        check=False,
    )
    assert demo.returncode == 0 and "gptls demo: a canned answer" in demo.stdout, demo.stderr
