"""A simple reading of the workspace's ``.gitignore`` files: their patterns, read once per folder and capped (a
repository's 30 MB .gitignore is read up to its first KiBs), matched without negations (more is left out,
never less)."""

from __future__ import annotations

import fnmatch
import logging
import os

from gptls.index.tree import folders_between, is_under

log = logging.getLogger(__name__)

GITIGNORE_MAX_BYTES = 256 * 1024
GITIGNORE_MAX_PATTERNS = 1000  # each pattern is matched against every path: a cap keeps the walk linear


class Gitignores:
    """The patterns of the .gitignore files the walk (or a lookup) reached: folder -> its patterns."""

    def __init__(self) -> None:
        self.patterns: dict[str, list[str]] = {}

    def read_above(self, root: str, path: str) -> None:
        """The .gitignore files between ``path``'s root and its folder, read once (the walk may not have
        reached them yet)."""
        for folder in [root, *folders_between(root, path)]:
            if folder not in self.patterns:
                self.patterns[folder] = []
                self.read(folder)

    def read(self, folder: str) -> None:
        try:
            with open(os.path.join(folder, ".gitignore"), "rb") as handle:
                raw = handle.read(GITIGNORE_MAX_BYTES + 1)
        except OSError:
            return
        lines = raw[:GITIGNORE_MAX_BYTES].decode("utf-8", errors="replace").splitlines()
        patterns = [line.strip() for line in lines if line.strip() and not line.startswith(("#", "!"))]
        if len(raw) > GITIGNORE_MAX_BYTES or len(patterns) > GITIGNORE_MAX_PATTERNS:
            log.warning(
                "%s is over %d KiB or %d patterns: only its first ones are used",
                os.path.join(folder, ".gitignore"),
                GITIGNORE_MAX_BYTES // 1024,
                GITIGNORE_MAX_PATTERNS,
            )
        self.patterns[folder] = patterns[:GITIGNORE_MAX_PATTERNS]

    def ignores(self, path: str, *, is_dir: bool) -> bool:
        """A simple reading of the .gitignore files above ``path`` (negations are not honoured: more is left
        out, never less)."""
        for folder, patterns in list(self.patterns.items()):  # the walk thread may be adding to it
            if not is_under(path, folder):
                continue
            relative = os.path.relpath(path, folder).replace(os.sep, "/")
            name = relative.rsplit("/", 1)[-1]
            for written in patterns:
                if written.endswith("/") and not is_dir:
                    continue  # a file inside an ignored directory is caught when the directory is skipped
                pattern = written.strip("/")
                anchored = "/" in written.rstrip("/")
                if (anchored and fnmatch.fnmatch(relative, pattern)) or (
                    not anchored and fnmatch.fnmatch(name, pattern)
                ):
                    return True
        return False
