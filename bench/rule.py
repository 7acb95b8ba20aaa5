"""The plain baseline a ranked context has to beat, written without any of gptls' code: the file's own
signatures nearest the target, then the signatures of every project name the file imports, one level deep (a
class with its methods' and fields' lines), cut to the same budget."""

from __future__ import annotations

import ast
from pathlib import Path

Def = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def signatures_rule(stub: str, path: str, root: Path, line: int, budget: int) -> str:
    """The rule's context as a prompt would quote it."""
    return "\n".join(text for _file, text in rule_blocks(stub, path, root, line, budget))


def rule_blocks(stub: str, path: str, root: Path, line: int, budget: int) -> list[tuple[str, str]]:
    """The rule's quoted blocks in order, each with the file it quotes (a re-export's: where it is defined)."""
    try:
        tree = ast.parse(stub)
    except SyntaxError:
        return []
    lines = stub.split("\n")
    own = sorted(_headers(tree, lines), key=lambda item: abs(item[0] - line))
    imported: list[tuple[str, str]] = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            module = _module_file(root, path, node.module or "", node.level)
            for alias in node.names:
                imported.extend(_named(root, module, alias.name, hops=1))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                module = _module_file(root, path, alias.name, 0)
                if module is not None:
                    imported.extend((str(module), text) for _line, text in _top_level(module))
    out: list[tuple[str, str]] = []
    used = 0
    for file, text in [*((path, text) for _line, text in own), *imported]:
        if used + len(text) + 1 > budget:
            break
        out.append((file, text))
        used += len(text) + 1
    return out


def by_path(blocks: list[tuple[str, str]]) -> dict[str, str]:
    """The blocks' text by the file each quotes."""
    out: dict[str, list[str]] = {}
    for file, text in blocks:
        out.setdefault(file, []).append(text)
    return {file: "\n".join(texts) for file, texts in out.items()}


def _headers(tree: ast.Module, lines: list[str]) -> list[tuple[int, str]]:
    """Every def and class header in the file (any depth), and module- and class-level assignments."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, Def):
            out.append((node.lineno - 1, _header(node, lines)))
        if isinstance(node, (ast.Module, ast.ClassDef)):
            for inner in node.body:
                if isinstance(inner, (ast.Assign, ast.AnnAssign)):
                    out.append((inner.lineno - 1, lines[inner.lineno - 1]))
    return out


def _header(node: Def, lines: list[str]) -> str:
    end = max(node.lineno, node.body[0].lineno - 1)
    return "\n".join(lines[node.lineno - 1 : end])


def _module_file(root: Path, path: str, module: str, level: int) -> Path | None:
    if level:
        base = Path(path).parent
        for _ in range(level - 1):
            base = base.parent
    else:
        base = root
    parts = [p for p in module.split(".") if p]
    for candidate in (
        base.joinpath(*parts).with_suffix(".py") if parts else None,
        base.joinpath(*parts, "__init__.py"),
    ):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _parsed(file: Path) -> tuple[ast.Module, list[str]] | None:
    try:
        text = file.read_text(encoding="utf-8")
        return ast.parse(text), text.split("\n")
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return None


def _top_level(file: Path) -> list[tuple[int, str]]:
    parsed = _parsed(file)
    if parsed is None:
        return []
    tree, lines = parsed
    return [(n.lineno, _header(n, lines)) for n in tree.body if isinstance(n, Def)]


def _named(root: Path, module: Path | None, name: str, hops: int) -> list[tuple[str, str]]:
    """``name``'s signature in ``module`` (a class with its members' lines), following one re-export."""
    if module is None:
        return []
    parsed = _parsed(module)
    if parsed is None:
        return []
    tree, lines = parsed
    for node in tree.body:
        if isinstance(node, Def) and node.name == name:
            if not isinstance(node, ast.ClassDef):
                return [(str(module), _header(node, lines))]
            members = [_header(node, lines)]
            for inner in node.body:
                if isinstance(inner, Def):
                    members.append(_header(inner, lines))
                elif isinstance(inner, (ast.Assign, ast.AnnAssign)):
                    members.append(lines[inner.lineno - 1])
            return [(str(module), "\n".join(members))]
        if isinstance(node, ast.ImportFrom) and hops > 0 and any((a.asname or a.name) == name for a in node.names):
            original = next(a.name for a in node.names if (a.asname or a.name) == name)
            return _named(root, _module_file(root, str(module), node.module or "", node.level), original, hops - 1)
    return []
