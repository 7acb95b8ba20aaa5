"""The README is the front page a newcomer reads; the rest is in docs/. Every link between them lands."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]


def anchors(page: Path) -> set[str]:
    """GitHub's heading anchors (code blocks hold no headings)."""
    found, fenced = set(), False
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"^#{1,6} (.*)", line)
        if heading:
            found.add(re.sub(r"[^\w\- ]", "", heading.group(1).strip().lower()).replace(" ", "-"))
    return found


def test_the_front_page_is_short() -> None:
    assert len((REPO / "README.md").read_text().splitlines()) <= 150


def test_every_relative_link_lands_on_a_file_and_heading() -> None:
    broken = []
    for page in PAGES:
        for target, anchor in re.findall(r"\]\(((?:[\w./-]+)?)(?:#([\w-]+))?\)", page.read_text()):
            path = (page.parent / target).resolve() if target else page
            if not path.exists():
                broken.append(f"{page.name}: {target}")
            elif anchor and path.suffix == ".md" and anchor not in anchors(path):
                broken.append(f"{page.name}: {target}#{anchor}")
    assert broken == []


def test_the_front_page_links_every_page_in_docs() -> None:
    readme = (REPO / "README.md").read_text()
    assert [p.name for p in PAGES[1:] if f"(docs/{p.name}" not in readme] == []


def _architecture_tree() -> str:
    text = (REPO / "ARCHITECTURE.md").read_text()
    return text.split("**The tree**", 1)[1].split("```")[1]


def test_the_architecture_tree_names_every_module_and_nothing_that_is_gone() -> None:
    tree = _architecture_tree()
    named = set(re.findall(r"[\w]+\.(?:py|ts)\b", tree))
    modules = {p.name for p in (REPO / "server" / "gptls").rglob("*.py")} - {"__init__.py", "__main__.py"}
    sources = {p.name for p in (REPO / "client-vscode" / "src").glob("*.ts")}
    missing = sorted(name for name in modules | sources if name not in named)
    assert missing == [], f"ARCHITECTURE.md's tree does not name {missing}"
    known = modules | sources | {p.name for p in REPO.glob("*/*.py")} | {p.name for p in REPO.glob("*/*/*.py")}
    gone = sorted(name for name in named if name not in known)
    assert gone == [], f"ARCHITECTURE.md's tree names files that do not exist: {gone}"
    for folder in ("client-vscode/", "editors/", "tests/double/", "tests/unit/", "tests/e2e/", "bench/", "examples/"):
        assert folder in tree and (REPO / folder).is_dir(), folder
