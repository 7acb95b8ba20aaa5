"""The index summarizes a Python module from its outline (function bodies cut): the summary must be the one
the whole text gives, on every module of this repository, and the outline must keep every line number."""

from __future__ import annotations

from pathlib import Path

import pytest

from gptls.index import python_reader, summarize, summary
from gptls.index.outline import outline

REPO = Path(__file__).resolve().parents[2]
MODULES = sorted(p for folder in ("server", "tests", "bench") for p in (REPO / folder).rglob("*.py"))


def _shape(found: summary.FileSummary | None) -> object:
    assert found is not None
    return (
        {
            name: (
                s.kind,
                s.signature,
                s.summary,
                s.line,
                s.bases,
                [(m.kind, m.signature, m.summary, m.line) for m in s.members],
            )
            for name, s in found.symbols.items()
        },
        found.imports,
    )


def test_the_outline_gives_the_summary_the_whole_text_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = {path: path.read_text(encoding="utf-8") for path in MODULES}
    quick = {path: _shape(summarize.summarize(str(path), text, "python")) for path, text in texts.items()}
    monkeypatch.setattr(python_reader, "outline", lambda _text: None)  # the whole text, parsed
    for path, text in texts.items():
        assert quick[path] == _shape(summarize.summarize(str(path), text, "python")), path
    assert len(texts) > 100


def test_the_outline_cuts_bodies_and_keeps_lines() -> None:
    text = (
        "class A:\n"
        "    def f(self, x):\n"
        '        """Does f.\n'
        "\n"
        "        More.\n"
        '        """\n'
        "        y = x + 1\n"
        "        return y\n"
        "\n"
        "    def __init__(self):\n"
        "        self.a = 1\n"
    )
    cut = outline(text)
    assert cut is not None and cut.count("\n") == text.count("\n")
    assert '        """Does f."""' in cut and "y = x + 1" not in cut and "self.a = 1" in cut
    assert outline("def f(\n") is None  # a header it cannot read: the caller parses the whole text


def test_a_function_with_no_body_yet_is_read_with_its_neighbours() -> None:
    # `def f(x):` just typed, to be generated: not valid Python, yet the file's summary holds all of it.
    text = (
        "class A:\n"
        "    def begun(\n"
        "        self, a: int,\n"
        "    ) -> int:  # to write\n"
        "\n"
        "    def short(self): return 1\n"
        "\n"
        "\n"
        "def started(x='#'):\n"
    )
    cut = outline(text)
    assert cut is not None and cut.count("\n") == text.count("\n")
    found = summarize.summarize("m.py", text, "python")
    assert found is not None and set(found.symbols) == {"A", "started"}
    members = [m.signature for m in found.symbols["A"].members]
    assert members == ["def begun(\n    self, a: int,\n) -> int:", "def short(self):"]
    assert found.symbols["started"].signature == "def started(x='#'):"
