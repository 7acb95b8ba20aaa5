"""The small JSON files gptls keeps in the user's state directory (usage.json, models.json, consent.json):
read as regular files only, written atomically.

Whoever can write that directory could put a FIFO there (reading it blocks until someone writes), a link to
``/dev/zero`` (reading it never ends) or a huge file. So a state file is opened without following a link and
without blocking, checked to be a regular file of a sane size before a byte is read, and anything else (or a
file that is not JSON) is set aside under another name with a warning; gptls goes on as if it were absent.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
import tempfile
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MAX_STATE_BYTES = 4 * 1024 * 1024
_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


class BadStateFile(Exception):
    """The file is there but not a regular JSON file gptls can read."""


def read_state(path: Path) -> Any | None:
    """The JSON in ``path``; None when it does not exist, or when it is not a regular, readable JSON file of
    at most ``MAX_STATE_BYTES`` (that one is set aside first)."""
    try:
        return _read(path)
    except FileNotFoundError:
        return None
    except (BadStateFile, OSError, ValueError) as exc:
        set_aside(path, str(exc) or type(exc).__name__)
        return None


def _read(path: Path) -> Any:
    try:
        fd = os.open(path, _FLAGS)
    except OSError as exc:
        if os.path.islink(path):
            raise BadStateFile("it is a link") from exc
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise BadStateFile("it is not a regular file")
        if info.st_size > MAX_STATE_BYTES:
            raise BadStateFile(f"it is larger than {MAX_STATE_BYTES} bytes")
        data = os.read(fd, MAX_STATE_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_STATE_BYTES:
        raise BadStateFile(f"it is larger than {MAX_STATE_BYTES} bytes")
    return json.loads(data.decode("utf-8"))


def set_aside(path: Path, why: str) -> None:
    """Rename the bad file out of the way (a link is renamed, not followed) and say so."""
    aside = path.with_name(f"{path.name}.bad-{int(time.time())}")
    try:
        os.replace(path, aside)
    except OSError as exc:
        log.warning("gptls: ignoring %s (%s); could not move it aside: %s", path, why, exc)
        return
    log.warning(
        "gptls: %s was not a state file gptls can read (%s): moved it to %s and started afresh", path, why, aside
    )


def write_state(path: Path, value: Any, *, indent: int | None = None) -> None:
    """Write ``value`` as JSON to ``path`` atomically (a temporary file renamed over it). OSError on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(value, out, indent=indent, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
