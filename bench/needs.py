"""What a function body needs, found without gptls: jedi resolves every name and attribute the real body loads.

The bench's truth must not come from the code under test (a resolver only counts the names it can see). jedi
follows Python's import rules, re-exports, ``self`` and base classes; a need is a definition jedi lands on
inside the project (not a module, a parameter or a local of the function itself), split into same-file and
cross-file by where it is defined. Whether a prompt *quotes* a need is judged on the text it quotes from the
need's own file: a ``def`` or ``class`` line of that name, or a line that assigns or declares it (``name: T``,
``NAME = ...``, ``self.name``, or a ``__slots__`` naming it). The same name defined in another file is another
definition: it does not count.
"""

from __future__ import annotations

import ast
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import jedi

MIN_STATEMENTS = 3  # a body this long uses something; shorter ones are mostly ``return self._x``


@dataclass(frozen=True)
class Need:
    name: str
    path: str  # where it is defined
    line: int  # 1-based
    kind: str  # jedi's: function, class, property, statement, instance...

    def quoted_in(self, quoted: Mapping[str, str]) -> bool:
        """Whether the text a prompt quotes from the need's own file (``quoted``: path -> text) defines it: a
        definition of the same name from another file (another class's ``render``) is another definition."""
        return defines(quoted.get(self.path, ""), self.name)


def defines(text: str, name: str) -> bool:
    """Whether ``text`` holds a definition of ``name``: a ``def`` or ``class`` line, a line that assigns or
    declares it, or a ``__slots__`` naming it."""
    name = re.escape(name)
    if re.search(rf"\b(?:def|class)\s+{name}\b", text):
        return True
    # Assigned or declared (a name defined both ways, e.g. `get_buffer = None` on one platform, counts once).
    if re.search(rf"(?m)^\s*(?:self\.)?{name}\s*(?::|=|$|\s+#)", text):
        return True
    return bool(re.search(rf"(?m)^\s*__slots__\s*[:=].*['\"]{name}['\"]", text))


HEADING = re.compile(r"# (?:this file \((?P<own>[^)]+)\)|(?P<file>\S+))")


def by_file(context: str, root: Path, own: str) -> dict[str, str]:
    """gptls' project context split by the heading above each file's definitions (``# rich/text.py``, ``# this
    file (progress.py)``): the text quoted from each file, by its path. A comment line that names no file of the
    project is text, not a heading; what comes before the first heading quotes no file."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    own_name = Path(own).name
    for line in context.split("\n"):
        match = HEADING.fullmatch(line)
        path = None
        if match and match.group("own") == own_name:
            path = own
        elif match and match.group("file") and (root / match.group("file")).is_file():
            path = str(root / match.group("file"))
        if path is not None:
            current = out.setdefault(path, [])
        elif current is not None:
            current.append(line)
    return {path: "\n".join(lines) for path, lines in out.items()}


@dataclass
class Case:
    project: str
    path: str
    function: str
    text: str  # the original file
    stub: str  # the file with this function's body replaced by ...
    line: int  # the def line (0-based)
    same: list[Need]
    cross: list[Need]


def candidates(root: Path) -> list[tuple[str, str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for file in sorted(root.rglob("*.py")):
        try:
            text = file.read_text(encoding="utf-8")
            tree = ast.parse(text)
        except (SyntaxError, UnicodeDecodeError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and len(_body(node)) >= MIN_STATEMENTS:
                found.append((str(file), text, node))
    return found


def draw(
    project: str, root: Path, count: int, rng: random.Random, leave_out: frozenset[tuple[str, int]] = frozenset()
) -> list[Case]:
    """``count`` functions of ``root`` at random whose bodies need at least one project definition, none of
    those in ``leave_out`` (path, 0-based def line)."""
    pool = [c for c in candidates(root) if (c[0], c[2].lineno - 1) not in leave_out]
    rng.shuffle(pool)
    jedi_project = jedi.Project(path=str(root), added_sys_path=[str(root)], load_unsafe_extensions=False)
    scripts: dict[str, jedi.Script] = {}
    cases: list[Case] = []
    for path, text, node in pool:
        if len(cases) >= count:
            break
        script = scripts.get(path)
        if script is None:
            script = scripts[path] = jedi.Script(code=text, path=path, project=jedi_project)
        needs = needs_of(script, node, path, root, text)
        if not needs:
            continue
        lines = text.split("\n")
        body = _body(node)
        first, last = body[0].lineno - 1, (body[-1].end_lineno or body[-1].lineno) - 1
        if first < node.lineno:  # a one-line def: no room for a stub of its own
            continue
        indent = re.match(r"\s*", lines[first]).group(0)  # type: ignore[union-attr]
        stub = "\n".join([*lines[:first], f"{indent}...", *lines[last + 1 :]])
        same = [n for n in needs if n.path == path]
        cross = [n for n in needs if n.path != path]
        cases.append(Case(project, path, node.name, text, stub, node.lineno - 1, same, cross))
    return cases


def needs_of(
    script: jedi.Script, node: ast.FunctionDef | ast.AsyncFunctionDef, path: str, root: Path, text: str
) -> list[Need]:
    inside = str(root.resolve()) + "/"
    own = range(node.lineno, (node.end_lineno or node.lineno) + 1)
    scopes = _enclosing_functions(text, node)
    out: dict[tuple[str, str], Need] = {}
    for line, column, name in _loaded(node):
        try:
            definitions = script.goto(line, column, follow_imports=True)
        except Exception:  # jedi gives up on some constructs: that name is not counted either way
            continue
        for d in definitions:
            where = str(d.module_path or "")
            if not where.startswith(inside) or d.type in ("module", "param", "keyword") or d.line is None:
                continue
            if where == path and (d.line in own or any(d.line in scope for scope in scopes)):
                continue  # a local, the function itself, or a local of a function it is nested in
            source = Path(where).read_text(encoding="utf-8").split("\n")[d.line - 1].strip()
            if source.startswith(("import ", "from ")):
                continue  # jedi stopped at an import it could not follow
            out.setdefault((where, d.name or name), Need(d.name or name, where, d.line, d.type))
    return list(out.values())


def _enclosing_functions(text: str, node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[range]:
    """The line ranges of the functions ``node`` is nested in: their locals are not definitions a project
    context could quote (the prompt's target is the stub, not its enclosing function)."""
    tree = ast.parse(text)
    out = []
    for outer in ast.walk(tree):
        if isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef)) and outer is not node:
            end = outer.end_lineno or outer.lineno
            if outer.lineno < node.lineno and node.end_lineno is not None and node.end_lineno <= end:
                out.append(range(outer.lineno, end + 1))
    return out


def _loaded(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[tuple[int, int, str]]:
    """(line, column, name) of each name and attribute the body reads, where jedi should look."""
    spots = []
    for statement in _body(node):
        for inner in ast.walk(statement):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Load):
                spots.append((inner.lineno, inner.col_offset, inner.id))
            elif isinstance(inner, ast.Attribute) and inner.end_col_offset is not None and inner.end_lineno:
                spots.append((inner.end_lineno, inner.end_col_offset - len(inner.attr), inner.attr))
    return spots


def _body(node: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.stmt]:
    first = node.body[0]
    docstring = (
        isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str)
    )
    return node.body[1:] if docstring else node.body
