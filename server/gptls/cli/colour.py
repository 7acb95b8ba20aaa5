"""Coloured diffs on a terminal: ``--color auto|always|never``; ``NO_COLOR`` (https://no-color.org) turns
``auto`` off. Piped output stays plain."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TextIO

RESET = "\x1b[0m"
STYLES = {"+++": "\x1b[1m", "---": "\x1b[1m", "@@": "\x1b[36m", "+": "\x1b[32m", "-": "\x1b[31m"}


def wanted(choice: str, stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if choice == "always":
        return True
    if choice == "never" or env.get("NO_COLOR"):
        return False
    try:
        return stream.isatty() and env.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def coloured(lines: Iterable[str]) -> Iterator[str]:
    """Diff lines (already made safe with ``plain``) with ANSI colours gptls chose; the text is unchanged."""
    for line in lines:
        style = next((code for prefix, code in STYLES.items() if line.startswith(prefix)), "")
        if not style:
            yield line
            continue
        body, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "")
        yield f"{style}{body}{RESET}{newline}"
