"""What the index keeps of one file: its definitions (signature lines and a one-line summary), classes with
their bases and members, module constants, and its imports. Python is read with ``ast``; TypeScript,
JavaScript and Go by a scan over the code with strings and comments blanked out, so a brace or a keyword in
a string never reads as a definition.

Everything here is plain data made from text: it runs in the indexing worker process as well as in the server.
"""

from __future__ import annotations

import ast
import contextlib
import re
import textwrap
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from gptls.index.outline import DEF_LINE, outline
from gptls.languages import INDEXED_SUFFIXES

MAX_SIGNATURE_LINES = 6
MAX_LINE = 160  # a quoted line longer than this is cut
MAX_MEMBERS = 100  # a large class's members are what its methods use: a prompt chooses among them


class Symbol(NamedTuple):
    """One definition. A named tuple, not a dataclass: an index holds hundreds of thousands of them, and a
    tuple costs less than half an instance with its __dict__ (measured: +482 MiB at 20,000 files before)."""

    name: str
    kind: str  # function | class | constant | method | attribute | type
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

    def get(self, name: str) -> Symbol | None:
        return self.symbols.get(name)


def summarize(path: str, text: str, language: str | None = None) -> FileSummary | None:
    """The summary of ``text``, or None when it cannot be read (Python that does not parse: the caller keeps
    what it had)."""
    language = language or INDEXED_SUFFIXES.get(path[path.rfind(".") :].lower(), "")
    if language == "python":
        return _python(path, text)
    if language in ("typescript", "javascript", "typescriptreact", "javascriptreact"):
        return _script(path, text, "typescript" if language.startswith("typescript") else "javascript")
    if language == "go":
        return _go(path, text)
    return None


def changed_lines(old_text: str, new_text: str) -> int:
    """How many lines lie between the two texts' common start and common end (in the longer one)."""
    old_lines, new_lines = old_text.split("\n"), new_text.split("\n")
    first, tail = _common_ends(old_lines, new_lines)
    return max(len(old_lines), len(new_lines)) - first - tail


def _common_ends(old_lines: list[str], new_lines: list[str]) -> tuple[int, int]:
    """Lines the two texts share at their start, and then at their end."""
    common = min(len(old_lines), len(new_lines))
    first = 0
    while first < common and old_lines[first] == new_lines[first]:
        first += 1
    tail = 0
    while tail < common - first and old_lines[-1 - tail] == new_lines[-1 - tail]:
        tail += 1
    return first, tail


def summarize_edit(path: str, old_text: str, old: FileSummary, new_text: str) -> FileSummary | None:
    """The summary of ``new_text`` made from ``old`` (the summary of ``old_text``) by re-reading only the
    top-level statements the edit touched: typing in a 3,000-line module costs a short parse, not a full one.
    Code being typed that does not parse yet keeps what that part held before. None when it cannot be done
    safely (another language, an edit to the imports): then the caller reads the whole text."""
    if old.language != "python":
        return None
    old_lines, new_lines = old_text.split("\n"), new_text.split("\n")
    first, tail = _common_ends(old_lines, new_lines)
    if first == len(old_lines) == len(new_lines):
        return old
    shift = len(new_lines) - len(old_lines)
    changed = [*old_lines[first : len(old_lines) - tail], *new_lines[first : len(new_lines) - tail]]
    inside = _inside_one_body(old, old_lines, new_lines, first, tail, changed)
    if inside is not None:
        return inside  # a function's own imports are not the file's
    # The chunk re-read runs between statements the old summary knows are code (a definition's or a constant's
    # line, its decorators included), so a column-0 line inside a multi-line string is never taken for a start.
    known = sorted({_statement_start(old_lines, symbol.line) for symbol in old.symbols.values()})
    start = max((line for line in known if line <= first), default=0)
    old_stop = min((line for line in known if line >= len(old_lines) - tail and line > start), default=len(old_lines))
    new_stop = old_stop + shift
    if new_stop <= start:
        return None
    conditional = new_lines[start].startswith(("if", "try"))  # `if TYPE_CHECKING:` / `try: import x` blocks
    if any(_IMPORTS.match(line) and (conditional or not line[:1].isspace()) for line in changed):
        return None  # the file's imports are kept without lines: read them all again
    chunk = new_lines[start:new_stop]
    fresh: list[Symbol] | None = None
    with contextlib.suppress(SyntaxError, ValueError, RecursionError):
        fresh = [
            _moved(symbol, start)
            for node in ast.parse("\n".join(chunk)).body
            for symbol in _python_symbols(node, chunk)
        ]
    if fresh is None:
        whole = _python(path, new_text)  # an edit that opened or closed a string, or code being typed
        if whole is not None:
            return whole
        # Mid-edit code that does not parse (yet): what this part held before stands for it meanwhile.
        fresh = [symbol for symbol in old.symbols.values() if start <= symbol.line < old_stop]
    symbols: dict[str, Symbol] = {}
    for symbol in sorted(old.symbols.values(), key=lambda s: s.line):
        if symbol.line < start:
            symbols[symbol.name] = symbol
    for symbol in fresh:
        symbols[symbol.name] = symbol
    for symbol in sorted(old.symbols.values(), key=lambda s: s.line):
        if symbol.line >= old_stop:
            symbols[symbol.name] = _moved(symbol, shift)
    size = sum(len(s.signature) + len(s.summary) + sum(len(m.signature) for m in s.members) for s in symbols.values())
    return FileSummary(path, "python", symbols, old.imports, size=size)


def _inside_one_body(
    old: FileSummary, old_lines: list[str], new_lines: list[str], first: int, tail: int, changed: list[str]
) -> FileSummary | None:
    """The usual edit, inside the body of one function or method whose header and docstring stay the same:
    the summary is the old one with later lines moved, found by parsing that function alone."""
    indents = [len(line) - len(line.lstrip()) for line in changed if line.strip()]
    if not indents or first == 0:
        return None
    # Up from the edit, through the blocks around it, to the first function the summary knows.
    level, at, known = min(indents), first - 1, None
    while at >= 0:
        line = new_lines[at]
        depth = len(line) - len(line.lstrip())
        if line.strip() and not line.lstrip().startswith("#") and depth < level:
            match = DEF_LINE.match(line)
            if match:
                known = _symbol_at(old, at)
                if known is not None and known.name == match.group(2):
                    break
            elif depth == 0 or line.lstrip().startswith("class "):
                return None  # a class body or top-level code holds the edit
            level = depth
        at -= 1
    if at < 0 or known is None or known.name in ("__init__", "__post_init__"):
        return None  # nothing found, or an __init__, whose `self.x =` lines are members
    indent = len(new_lines[at]) - len(new_lines[at].lstrip())
    stop = first
    while (
        stop < len(new_lines)
        and (
            not new_lines[stop].strip()
            or len(new_lines[stop]) - len(new_lines[stop].lstrip()) > indent
            # A multi-line header closes at the def's own indentation: `) -> T:` is still the function.
            or (len(new_lines[stop]) - len(new_lines[stop].lstrip()) == indent and new_lines[stop].lstrip()[:1] in ")]")
        )
    ):
        stop += 1
    if len(new_lines) - tail > stop:
        return None  # the edit reaches past the function
    chunk = textwrap.dedent("\n".join(new_lines[at:stop])).split("\n")
    try:
        node = ast.parse("\n".join(chunk)).body[0]
    except (SyntaxError, ValueError, RecursionError, IndexError):
        node = None  # being typed: what it held stands for it meanwhile
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
        _header(node, chunk) != known.signature or _doc(node) != known.summary
    ):
        return None  # its signature or docstring changed: the chunk below reads it
    shift = len(new_lines) - len(old_lines)
    symbols = {n: _moved_after(s, at, shift) for n, s in old.symbols.items()}
    return replace(old, symbols=symbols)


def _symbol_at(summary: FileSummary, line: int) -> Symbol | None:
    for symbol in summary.symbols.values():
        if symbol.line == line and symbol.kind == "function":
            return symbol
        for member in symbol.members:
            if member.line == line and member.kind == "method":
                return member
    return None


def _moved_after(symbol: Symbol, after: int, by: int) -> Symbol:
    """``symbol`` with the lines after ``after`` moved by ``by`` (its members' too)."""
    if not by:
        return symbol
    members = tuple(_moved_after(m, after, by) for m in symbol.members)
    line = symbol.line + by if symbol.line > after else symbol.line
    if line == symbol.line and members == symbol.members:
        return symbol
    return symbol._replace(line=line, members=members)


_IMPORTS = re.compile(r"^\s*(import|from)\s|^(if|try)\b")  # an import, or a top-level block that may hold some
_TOP_LEVEL = re.compile(r"^[A-Za-z_@\"']")


def _statement_start(lines: list[str], at: int) -> int:
    """The top-level statement (its decorators included) that line ``at`` belongs to."""
    while at > 0 and not _top_level_start(lines[at]):
        at -= 1
    while at > 0 and lines[at - 1].startswith("@"):
        at -= 1
    return at


def _top_level_start(line: str) -> bool:
    return bool(_TOP_LEVEL.match(line)) and not line.startswith(("else", "elif", "except", "finally"))


def _moved(symbol: Symbol, by: int) -> Symbol:
    if not by:
        return symbol
    members = tuple(_moved(m, by) if m.line else m for m in symbol.members)  # 0: a member without a line
    return symbol._replace(line=symbol.line + by, members=members)


# -- Python ---------------------------------------------------------------------------------------------------


def _python(path: str, text: str) -> FileSummary | None:
    shortened = outline(text)  # function bodies cut: the same summary for a fraction of the parse
    tree = None
    if shortened is not None:
        with contextlib.suppress(SyntaxError, ValueError, RecursionError):
            tree = ast.parse(shortened)
            text = shortened
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError):
            return None
    lines = text.splitlines()
    symbols: dict[str, Symbol] = {}
    imports: list[Import] = []
    for node in tree.body:
        for symbol in _python_symbols(node, lines):
            symbols[symbol.name] = symbol
        if isinstance(node, ast.Import):
            imports += [Import(a.name, 0, (), a.asname) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = tuple((a.name, a.asname or a.name) for a in node.names if a.name != "*")
            star = any(a.name == "*" for a in node.names)
            imports.append(Import(node.module or "", node.level, names, None, star))
        elif isinstance(node, (ast.If, ast.Try)):  # `if TYPE_CHECKING:` and `try: import x` blocks
            for inner in ast.walk(node):
                if isinstance(inner, ast.ImportFrom):
                    names = tuple((a.name, a.asname or a.name) for a in inner.names if a.name != "*")
                    imports.append(Import(inner.module or "", inner.level, names))
                elif isinstance(inner, ast.Import):
                    imports += [Import(a.name, 0, (), a.asname) for a in inner.names]
    size = sum(len(s.signature) + len(s.summary) + sum(len(m.signature) for m in s.members) for s in symbols.values())
    return FileSummary(path, "python", symbols, tuple(imports), size=size)


def _python_symbols(node: ast.stmt, lines: list[str]) -> list[Symbol]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [Symbol(node.name, "function", _header(node, lines), _doc(node), line=node.lineno - 1)]
    if isinstance(node, ast.ClassDef):
        return [_python_class(node, lines)]
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        signature = _cut(_source(node, lines))
        return [Symbol(name, "constant", signature, line=node.lineno - 1) for name in names]
    return []


def _python_class(node: ast.ClassDef, lines: list[str]) -> Symbol:
    members: list[Symbol] = []
    seen: set[str] = set()
    methods = [item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
    seen.update(item.name for item in methods)
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            members.append(Symbol(item.name, "method", _header(item, lines), _doc(item), line=item.lineno - 1))
            if item.name == "__init__":
                members += _self_attributes(item, lines, seen)
        elif isinstance(item, (ast.Assign, ast.AnnAssign)):  # class attributes, dataclass/attrs fields
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id not in seen:
                    seen.add(target.id)
                    members.append(Symbol(target.id, "attribute", _cut(_source(item, lines).strip())))
    for item in methods:  # `self.x =` in any other method: an attribute too (after __init__'s)
        if item.name != "__init__":
            members += _self_attributes(item, lines, seen)
    bases = tuple(ast.unparse(b) for b in node.bases)
    return Symbol(
        node.name, "class", _header(node, lines), _doc(node), bases, tuple(members[:MAX_MEMBERS]), node.lineno - 1
    )


def _self_attributes(init: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str], seen: set[str]) -> list[Symbol]:
    found = []
    for statement in ast.walk(init):
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = list(statement.targets)
        elif isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        # self.a, self.b = ...: each is an attribute
        targets = [e for t in targets for e in (t.elts if isinstance(t, (ast.Tuple, ast.List)) else [t])]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "self"
                and target.attr not in seen
            ):
                seen.add(target.attr)
                annotation = f": {ast.unparse(statement.annotation)}" if isinstance(statement, ast.AnnAssign) else ""
                found.append(Symbol(target.attr, "attribute", f"self.{target.attr}{annotation}"))
    return found


def _header(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, lines: list[str]) -> str:
    """The definition's own lines, from ``def``/``class`` to its colon (decorators left out)."""
    first = node.lineno - 1
    opening = node.body[0] if node.body else None
    decorated = getattr(opening, "decorator_list", None) or []  # a decorated inner def starts at its decorator
    body_start = min([opening.lineno, *(d.lineno for d in decorated)]) - 1 if opening else first + 1
    last = max(first, min(body_start - 1, first + MAX_SIGNATURE_LINES - 1))
    if body_start == first:  # `def f(): ...` on one line
        return _cut(lines[first].strip())
    own = lines[first : last + 1]
    while len(own) > 1 and (not own[-1].strip() or own[-1].lstrip().startswith("#")):
        own.pop()  # a comment that opens the body is not part of the signature
    header = textwrap.dedent("\n".join(own)).rstrip()
    return "\n".join(_cut(line) for line in header.split("\n"))


def _doc(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
    text = ast.get_docstring(node, clean=True)
    return _cut(text.strip().split("\n", 1)[0]) if text else ""


def _source(node: ast.stmt, lines: list[str]) -> str:
    first = node.lineno - 1
    last = min((node.end_lineno or node.lineno) - 1, first + 2)
    return "\n".join(lines[first : last + 1]).strip()


def _cut(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[: MAX_LINE - 3].rstrip() + "..."


# -- TypeScript / JavaScript and Go, by a scan -------------------------------------------------------------

_BLANK = re.compile(r"//[^\n]*|/\*[\s\S]*?\*/|`(?:\\.|[^`\\])*`|\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'")


def _blanked(text: str) -> str:
    """``text`` with comments and string bodies replaced by spaces (quotes kept), line breaks kept: what is
    left is code, at the same offsets."""

    def blank(match: re.Match[str]) -> str:
        token = match.group(0)
        if token[0] in "\"'`":
            return token[0] + re.sub(r"[^\n]", " ", token[1:-1]) + token[-1]
        return re.sub(r"[^\n]", " ", token)

    return _BLANK.sub(blank, text)


_TS_DEF = re.compile(
    r"^(?P<export>export\s+(?:default\s+)?)?(?:declare\s+)?(?:abstract\s+)?"
    r"(?:(?P<fn>(?:async\s+)?function\s*\*?\s*(?P<fname>[\w$]+))"
    r"|(?P<cls>class\s+(?P<cname>[\w$]+)(?P<cext>[^{]*))"
    r"|(?P<type>(?:interface|type|enum)\s+(?P<tname>[\w$]+))"
    r"|(?P<var>(?:const|let|var)\s+(?P<vname>[\w$]+)))",
    re.MULTILINE,
)
_TS_IMPORT = re.compile(
    r"^\s*(?P<kind>import|export)\s+(?P<what>[\s\S]*?)\s+from\s+(?P<q>[\"'])(?P<module>[^\"']+)(?P=q)",
    re.MULTILINE,
)
_TS_METHOD = re.compile(r"^\s+(?:(?:public|private|protected|static|readonly|async|get|set)\s+)*([\w$]+)\s*[(:<=?]")


def _script(path: str, text: str, language: str) -> FileSummary:
    code = _blanked(text)
    lines, code_lines = text.splitlines(), code.splitlines()
    symbols: dict[str, Symbol] = {}
    for match in _TS_DEF.finditer(code):
        line = code.count("\n", 0, match.start())
        name = match.group("fname") or match.group("cname") or match.group("tname") or match.group("vname")
        kind = "function" if match.group("fn") else "class" if match.group("cls") else "type"
        if match.group("var"):
            kind = "function" if "=>" in code_lines[line] or "function" in code_lines[line] else "constant"
        signature = _cut(lines[line].rstrip().rstrip("{").rstrip())
        members: tuple[Symbol, ...] = ()
        bases: tuple[str, ...] = ()
        if kind == "class":
            bases = tuple(re.findall(r"(?:extends|implements)\s+([\w$.]+)", match.group("cext") or ""))
            members = _script_members(lines, code_lines, line)
        symbols[name] = Symbol(name, kind, signature, _doc_comment(lines, line), bases, members, line)
    imports = []
    for match in _TS_IMPORT.finditer(code):
        module = text[match.start("module") : match.end("module")]
        what = text[match.start("what") : match.end("what")]
        names = tuple(
            (parts[0], parts[-1])
            for parts in (re.split(r"\s+as\s+", n.strip()) for n in re.sub(r"[{}]", ",", what).split(","))
            if parts[0] and parts[0] not in ("*", "type") and not parts[0].startswith("* as")
        )
        star = what.strip().startswith("*")
        imports.append(Import(module, 0, names, None, star, match.group("kind") == "export"))
    return FileSummary(path, language, symbols, tuple(imports), size=sum(len(s.signature) for s in symbols.values()))


def _script_members(lines: list[str], code_lines: list[str], start: int) -> tuple[Symbol, ...]:
    depth, members = 0, []
    for index in range(start, min(len(code_lines), start + 2000)):
        code = code_lines[index]
        if depth == 1 and index > start:
            method = _TS_METHOD.match(code)
            if method and method.group(1) not in ("if", "for", "while", "return", "switch"):
                members.append(Symbol(method.group(1), "method", _cut(lines[index].strip().rstrip("{").rstrip())))
        depth += code.count("{") - code.count("}")
        if depth <= 0 and index > start and "}" in code:
            break
    return tuple(members[:MAX_MEMBERS])


def _doc_comment(lines: list[str], line: int) -> str:
    """The first line of a ``/** ... */`` or ``//`` comment right above ``line``."""
    index = line - 1
    while index >= 0 and lines[index].strip().startswith(("*", "/**", "//")):
        index -= 1
    for text in lines[index + 1 : line]:
        stripped = text.strip().lstrip("/*").strip()
        if stripped and not stripped.startswith("@"):
            return _cut(stripped)
    return ""


_GO_DEF = re.compile(
    r"^(?:func\s+(?:\((?P<recv>[^)]*)\)\s*)?(?P<fname>\w+)"
    r"|type\s+(?P<tname>\w+)\s+(?P<tkind>struct|interface|\w+)"
    r"|(?:const|var)\s+(?P<vname>\w+))",
    re.MULTILINE,
)


def _go(path: str, text: str) -> FileSummary:
    code = _blanked(text)
    lines = text.splitlines()
    package = re.search(r"^package\s+(\w+)", code, re.MULTILINE)
    symbols: dict[str, Symbol] = {}
    methods: dict[str, list[Symbol]] = {}
    for match in _GO_DEF.finditer(code):
        line = code.count("\n", 0, match.start())
        signature = _cut(lines[line].rstrip().rstrip("{").rstrip())
        doc = _doc_comment(lines, line)
        if match.group("fname"):
            receiver = re.findall(r"\*?(\w+)\s*$", match.group("recv") or "")
            if receiver:
                methods.setdefault(receiver[0], []).append(Symbol(match.group("fname"), "method", signature, doc))
                continue
            symbols[match.group("fname")] = Symbol(match.group("fname"), "function", signature, doc, line=line)
        elif match.group("tname"):
            symbols[match.group("tname")] = Symbol(match.group("tname"), "class", signature, doc, line=line)
        elif match.group("vname"):
            symbols[match.group("vname")] = Symbol(match.group("vname"), "constant", signature, line=line)
    for owner, found in methods.items():
        if owner in symbols:
            symbols[owner] = symbols[owner]._replace(members=tuple(found[:MAX_MEMBERS]))
    return FileSummary(
        path, "go", symbols, (), package.group(1) if package else "", sum(len(s.signature) for s in symbols.values())
    )
