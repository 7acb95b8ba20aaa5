"""Where files sit in the workspace tree: the folders a walk never enters, how far a file is from the ones the
user works on, and path tests the walk and the index share."""

from __future__ import annotations

import os
from pathlib import Path

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
        "site-packages",
        "build",
        "dist",
        "target",
        "out",
        ".next",
        "coverage",
        "vendor",
    }
)


def nearest(paths: list[str], focus: list[str], limit: int) -> list[str]:
    """The ``limit`` paths nearest the focus files (fewest folders between), else the shallowest."""
    anchors = [Path(os.path.dirname(f)).parts for f in focus]

    def distance(path: str) -> tuple[int, str]:
        parts = Path(path).parts[:-1]
        if not anchors:
            return len(parts), path
        best = len(parts) + min(len(a) - 2 * common_parts(parts, a) for a in anchors)
        return best, path

    return sorted(paths, key=distance)[:limit]


def common_parts(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def folders_between(root: str, path: str) -> list[str]:
    """The folders below ``root`` that hold ``path``, outermost first (not ``root``, not ``path``)."""
    parts = Path(os.path.relpath(path, root)).parts[:-1]
    return [os.path.join(root, *parts[: i + 1]) for i in range(len(parts))]


def is_under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)
