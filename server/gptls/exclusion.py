"""What is never sent: files matching the ``exclude`` globs (case-insensitive, the link's own path and where it
leads), links that leave the folder they were named in, and binary files."""

from __future__ import annotations

import fnmatch
import os
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse


def is_excluded(uri: str, patterns: tuple[str, ...], memo: dict[str, Any] | None = None) -> bool:
    """True when the document's path, or the file it links to, matches an exclude glob: its text is never
    sent (a link to a secret is a secret). ``memo``, an open document's, keeps the answer while its text does
    (resolving links costs a system call per path component, and a burst of hovers asks for every one)."""
    if memo is None:
        return excluded_by(uri, patterns) is not None
    known = memo.get("exclusion.excluded")
    if known is None or known[0] != (uri, patterns):
        known = memo["exclusion.excluded"] = ((uri, patterns), excluded_by(uri, patterns) is not None)
    found: bool = known[1]
    return found


def excluded_by(uri: str, patterns: tuple[str, ...]) -> str | None:
    """The exclude glob that the path or, for a file on disk, its real path (links resolved) matches."""
    found = matching_exclude(uri, patterns)
    if found is not None:
        return found
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    path = unquote(parsed.path)
    real = os.path.realpath(path)
    return None if real == path else matching_exclude(Path(real).as_uri(), patterns)


def resolve_inside(path: str, root: str) -> str:
    """``path`` with its links resolved, when that stays under ``root`` (links resolved too); else
    ``OutsideError``. Whatever gptls reads for a prompt or writes goes through this first."""
    real, real_root = os.path.realpath(path), os.path.realpath(root)
    if real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep):
        raise OutsideError(path, real, root)
    return real


class OutsideError(ValueError):
    def __init__(self, path: str, real: str, root: str) -> None:
        self.path, self.real, self.root = path, real, root
        super().__init__(f"{path} leads outside {root} (to {real}): gptls neither reads nor writes it")


def matching_exclude(uri: str, patterns: tuple[str, ...]) -> str | None:
    """The first exclude glob the document's path matches, or None (remembered: every request asks)."""
    parsed = urlparse(uri)
    path = unquote(parsed.path) if parsed.scheme in ("file", "") else unquote(parsed.path or uri)
    posix = PurePosixPath(path.replace("\\", "/").lower())  # .ENV and Id_RSA are secrets too
    for original in patterns:
        pattern = original.lower()
        if fnmatch.fnmatch(posix.name, pattern) or fnmatch.fnmatch(str(posix), pattern):
            return original
        if pattern.startswith("**/") and fnmatch.fnmatch(str(posix), "*/" + pattern[3:]):
            return original
        if "/" in pattern and posix.match(pattern.removeprefix("**/")):
            return original
    return None


def looks_binary(text: str) -> bool:
    return "\x00" in text[:65536]
