"""What the command line prints: every line through one filter, so a file name, a model's answer or an error
that quotes a repository's text cannot carry a terminal escape (OSC 52 writes the clipboard) or reorder what
is shown."""

from __future__ import annotations

import sys

from gptls.text.shown import plain


def say(text: str, *, err: bool = False) -> None:
    """Print ``text`` (to stderr with ``err``) with its control characters shown, not obeyed."""
    print(plain(text), file=sys.stderr if err else sys.stdout)
