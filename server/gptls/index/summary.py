"""What the index keeps of one file: its definitions (signature lines and a one-line summary), classes with
their bases and members, module constants, and its imports. Plain data made from text (``summarize.py``
reads a file into it): it runs in the indexing worker process as well as in the server.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

MAX_SIGNATURE_LINES = 6
MAX_LINE = 160  # a quoted line longer than this is cut
MAX_MEMBERS = 100  # a large class's members are what its methods use: a prompt chooses among them
# The member kinds that are functions with a body (a property is its getter): what a stub, a neighbour or an
# edit's moved lines can be
CALLABLE_MEMBERS = ("method", "property")


class Symbol(NamedTuple):
    """One definition. A named tuple, not a dataclass: an index holds hundreds of thousands of them, and a
    tuple costs less than half an instance with its __dict__ (measured: +482 MiB at 20,000 files before)."""

    name: str
    kind: str  # function | class | constant | method | property | attribute | type
    signature: str  # as written: "def f(a: int) -> str:", "class A(B):", "TIMEOUT = 30"
    summary: str = ""  # the docstring's (or doc comment's) first line
    bases: tuple[str, ...] = ()
    members: tuple[Symbol, ...] = ()
    line: int = 0  # 0-based line of the definition


@dataclass(frozen=True)
class Import:
    """``from .mod import a as b`` -> Import("mod", 1, (("a", "b"),)); ``import a.b as c`` -> Import("a.b", 0,
    (), "c"); TS ``import {a} from './x'`` -> Import("./x", 0, (("a", "a"),)); ``export * from`` -> star."""

    module: str
    level: int = 0
    names: tuple[tuple[str, str], ...] = ()
    alias: str | None = None
    star: bool = False
    reexport: bool = False  # TS/JS ``export ... from``


@dataclass(frozen=True)
class FileSummary:
    path: str
    language: str
    symbols: dict[str, Symbol] = field(default_factory=dict)  # top level, by name
    imports: tuple[Import, ...] = ()
    package: str = ""  # Go: the package clause
    size: int = 0  # characters kept (signatures and summaries): what the memory cap counts
    mtime_ns: int = 0  # the file's modification time when it was read (0: an open buffer)
    # The attribute names its code reads (``.get``, ``.raw_path``), each once: across the workspace, how many
    # files read a class's member says which of a large class's members a new body most likely reads
    attributes: tuple[str, ...] = ()

    def get(self, name: str) -> Symbol | None:
        return self.symbols.get(name)


def cut(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3].rstrip() + "..."
