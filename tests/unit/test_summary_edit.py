"""A summary made from the previous one by re-reading only what an edit touched equals the summary of the
whole new text (checked on gptls' own modules, edited at random), and code being typed that does not parse
keeps what that part held."""

from __future__ import annotations

import ast
import random
from pathlib import Path

from gptls.index.summarize import summarize, summarize_edit
from gptls.index.summary import FileSummary

SOURCES = sorted((Path(__file__).resolve().parents[2] / "server" / "gptls").rglob("*.py"))


def _shape(summary: FileSummary | None) -> dict[str, tuple[str, str, int, tuple[tuple[str, int], ...]]]:
    assert summary is not None
    return {
        name: (s.kind, s.signature, s.line, tuple((m.signature, m.line) for m in s.members))
        for name, s in summary.symbols.items()
    }


def _edits(text: str, rng: random.Random) -> list[str]:
    lines = text.split("\n")
    out = []
    for _ in range(6):
        at = rng.randrange(len(lines))
        kind = rng.choice(["insert-def", "delete", "change", "indent-line", "body-line", "body-line"])
        edited = list(lines)
        if kind == "insert-def":
            edited[at:at] = ["", "", "def inserted_here(x: int) -> int:", '    """Added."""', "    return x", ""]
        elif kind == "delete":
            del edited[at : at + rng.randrange(1, 4)]
        elif kind == "change":
            edited[at] = edited[at] + "  # edited"
        elif kind == "body-line":  # a statement typed inside a function body, at that line's indentation
            inside = [i for i, line in enumerate(lines) if line.startswith("        ") and line.strip()] or [0]
            at = rng.choice(inside)
            edited[at:at] = [lines[at][: len(lines[at]) - len(lines[at].lstrip())] + "value = compute(1)"]
        else:
            edited[at:at] = ["    value = compute(1)"]
        out.append("\n".join(edited))
    return out


def _stubbed(text: str, rng: random.Random) -> list[str]:
    """The file with one function's body replaced by ``...`` (its docstring and the comments above its first
    statement kept), as *Generate function* and the bench's stubs leave it: three functions at random."""
    lines = text.split("\n")
    functions = [
        node
        for node in ast.walk(ast.parse(text))
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.body[0].lineno > node.lineno
    ]
    out = []
    for node in rng.sample(functions, min(3, len(functions))):
        body = node.body[1:] if ast.get_docstring(node) is not None and len(node.body) > 1 else node.body
        start, end = body[0].lineno - 1, (node.end_lineno or node.lineno)
        indent = lines[start][: len(lines[start]) - len(lines[start].lstrip())]
        out.append("\n".join([*lines[:start], indent + "...", *lines[end:]]))
    return out


def test_an_incremental_summary_equals_the_full_one() -> None:
    rng = random.Random(7)
    checked = 0
    for path in SOURCES[::3]:
        text = path.read_text(encoding="utf-8")
        old = summarize(str(path), text, "python")
        assert old is not None
        for new_text in _edits(text, rng) + _stubbed(text, rng):
            full = summarize(str(path), new_text, "python")
            quick = summarize_edit(str(path), text, old, new_text)
            if full is None or quick is None:
                continue  # the edit broke the module, or touched its imports: the caller reads it all
            assert _shape(quick) == _shape(full), (path, new_text)
            assert quick.attributes == full.attributes, (path, new_text)  # what the file reads, as it is now
            checked += 1
    assert checked > 60


def test_a_stubbed_method_leaves_no_attribute_only_its_old_body_set() -> None:
    # The body that was there set `self.count`; the stub does not, and nothing else in the class does.
    text = (
        "class Counter:\n    def __init__(self):\n        self.total = 0\n\n"
        "    def reset(self) -> None:\n        self.count = 0\n        self.total = 0\n"
    )
    old = summarize("m.py", text, "python")
    stub = text.replace("        self.count = 0\n        self.total = 0\n", "        ...\n")
    quick = summarize_edit("m.py", text, old, stub) if old is not None else None
    assert quick is not None and "count" in {m.name for m in old.symbols["Counter"].members}  # type: ignore[union-attr]
    assert _shape(quick) == _shape(summarize("m.py", stub, "python"))
    assert "count" not in {m.name for m in quick.symbols["Counter"].members}


def test_a_stubbed_body_no_longer_counts_as_reading_what_it_read() -> None:
    # What the file reads picks the members quoted of the classes it uses: the body being written reads nothing.
    text = (
        "def total(cart):\n    return cart.subtotal() + cart.shipping_fee\n\n\ndef name(cart):\n    return cart.label\n"
    )
    old = summarize("m.py", text, "python")
    stub = text.replace("    return cart.subtotal() + cart.shipping_fee\n", "    ...\n")
    quick = summarize_edit("m.py", text, old, stub) if old is not None else None
    assert quick is not None and "shipping_fee" in old.attributes  # type: ignore[union-attr]
    assert set(quick.attributes) == {"label"}


def test_comments_opening_a_stubbed_body_are_not_read_as_a_cut_signature() -> None:
    header = "class M:\n    def match(\n        self, path: str\n    ) -> tuple[int, str]:\n"
    comments = "".join(f"        # step {i} of how it matches\n" for i in range(4))
    text = header + comments + "        found = 1\n        return found, path\n"
    stub = header + comments + "        ...\n"
    old = summarize("m.py", text, "python")
    quick = summarize_edit("m.py", text, old, stub) if old is not None else None
    assert quick is not None
    assert quick.symbols["M"].members[0].signature == "def match(\n    self, path: str\n) -> tuple[int, str]:"


def test_a_part_being_typed_keeps_what_it_held() -> None:
    text = "import os\n\n\ndef first(a):\n    return a\n\n\ndef second(b):\n    return b\n"
    old = summarize("m.py", text, "python")
    assert old is not None
    typing = text.replace("    return a\n", "    return a +\n")
    quick = summarize_edit("m.py", text, old, typing)
    assert quick is not None and set(quick.symbols) == {"first", "second"}
    added = text.replace("\n\ndef second", "\n\ndef between(c):\n    return c\n\n\ndef second")
    quick = summarize_edit("m.py", text, old, added)
    assert quick is not None and quick.symbols["second"].line == old.symbols["second"].line + 4
    assert summarize_edit("m.py", text, old, text.replace("import os", "import sys")) is None
