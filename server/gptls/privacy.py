"""What is never sent and what is never shown.

Never sent: files matching the ``exclude`` globs (case-insensitive) and binary files. Never shown: the API
key and anything shaped like a key or a password assignment, scrubbed from every log line, error text and
report.
"""

from __future__ import annotations

import fnmatch
import functools
import logging
import os
import re
import threading
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from gptls.text.shown import plain

MASK = "[REDACTED]"

_KEY_SHAPES = re.compile(
    r"(?:\bsk-[A-Za-z0-9_\-\*]{8,}"  # OpenAI keys (sk-..., sk-proj-...), also half-masked echoes
    r"|(?<=Bearer )[^\s\"',]+"  # anything after Bearer
    r"|\bsess-[A-Za-z0-9]{16,}"
    r"|\b(?:api[_-]?key|secret|password|token)\b(\s*[=:]\s*)[\"']?[^\s\"',]{8,})",
    re.IGNORECASE,
)

_lock = threading.Lock()
_known: set[str] = set()


def register_secret(value: str) -> None:
    """Remember a secret so it is masked wherever it shows up."""
    if len(value) >= 6:
        with _lock:
            _known.add(value)


def scrub(text: str) -> str:
    """Return ``text`` with known secrets and key-shaped strings masked."""
    if not text:
        return text
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return _KEY_SHAPES.sub(_mask_match, text)


def _mask_match(match: re.Match[str]) -> str:
    if match.group(1) is not None:  # key = value: keep the name, hide the value
        whole = match.group(0)
        return whole[: match.end(1) - match.start(0)] + MASK
    return MASK


class RedactionFilter(logging.Filter):
    """Formats the record once, scrubs message and traceback of secrets and control characters (a log line
    may quote the model, and logs are read in terminals), and freezes the result."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = f"{record.msg!r} {record.args!r}"
        record.msg = plain(scrub(message))
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = plain(scrub(record.exc_text))
        record.exc_info = None
        if record.stack_info:
            record.stack_info = plain(scrub(record.stack_info))
        return True


def protect(handler: logging.Handler) -> logging.Handler:
    """Attach the redaction filter to a handler (idempotent) and return it."""
    if not any(isinstance(f, RedactionFilter) for f in handler.filters):
        handler.addFilter(RedactionFilter())
    return handler


def protect_root() -> None:
    """Every handler on the root logger gets the filter; records from all loggers pass through them."""
    for handler in logging.getLogger().handlers:
        protect(handler)


def is_excluded(uri: str, patterns: tuple[str, ...], memo: dict[str, Any] | None = None) -> bool:
    """True when the document's path, or the file it links to, matches an exclude glob: its text is never
    sent (a link to a secret is a secret). ``memo``, an open document's, keeps the answer while its text does
    (resolving links costs a system call per path component, and a burst of hovers asks for every one)."""
    if memo is None:
        return excluded_by(uri, patterns) is not None
    known = memo.get("privacy.excluded")
    if known is None or known[0] != (uri, patterns):
        known = memo["privacy.excluded"] = ((uri, patterns), excluded_by(uri, patterns) is not None)
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


@functools.lru_cache(maxsize=4096)
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
