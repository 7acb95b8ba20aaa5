"""Parsing Python that may be hostile (a cloned repository's file, a model's answer) with one outcome for every
refusal: ``ast.parse`` raises SyntaxError for bad syntax, but ValueError for a NUL byte, RecursionError for a
long enough chain and MemoryError for nesting past the parser's stack (``class E(------…x)``). Each caller
catching its own subset let the last two escape a request: every action in such a file failed."""

from __future__ import annotations

import ast


class NestedTooDeeply(SyntaxError):
    """Nesting past the parser's stack or a chain past the compiler's recursion: as a rule, a file written to
    break the tools that read it (the index names such a file in its log; a syntax error it does not)."""


def parse(text: str) -> ast.Module:
    """``ast.parse``; every way it refuses the text is a SyntaxError."""
    try:
        return ast.parse(text)
    except SyntaxError:
        raise
    except ValueError as exc:  # a NUL byte
        raise SyntaxError(str(exc)) from None
    except (RecursionError, MemoryError):
        raise NestedTooDeeply("nested too deeply to read") from None
