"""A Python file's summary, read with ``ast``: definitions with their signatures and docstrings' first lines,
classes with their members (fields, properties, ``self.x`` assignments), module constants, imports."""

from __future__ import annotations

import ast
import contextlib
import re
import sys
import textwrap

from gptls.index.outline import outline
from gptls.index.summary import MAX_MEMBERS, MAX_SIGNATURE_LINES, FileSummary, Import, Symbol, cut
from gptls.text.python_syntax import NestedTooDeeply, parse


def read_python(path: str, text: str, refused: list[str] | None = None) -> FileSummary | None:
    """The file's summary, or None when it does not parse; why, in ``refused``, when it was nested too deeply."""
    attributes = read_attributes(text)
    shortened = outline(text)  # function bodies cut: the same summary for a fraction of the parse
    tree = None
    if shortened is not None:
        with contextlib.suppress(SyntaxError):
            tree = parse(shortened)
            text = shortened
    if tree is None:
        try:
            tree = parse(text)
        except NestedTooDeeply as exc:
            if refused is not None:
                refused.append(str(exc.msg))
            return None
        except SyntaxError:
            return None
    lines = text.splitlines()
    symbols: dict[str, Symbol] = {}
    imports: list[Import] = []
    for node in tree.body:
        for symbol in python_symbols(node, lines):
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
    size = summary_size(symbols, attributes)
    return FileSummary(path, "python", symbols, tuple(imports), size=size, attributes=attributes)


def summary_size(symbols: dict[str, Symbol], attributes: tuple[str, ...]) -> int:
    """What a summary costs the memory cap: the characters of its signatures and summaries, and a pointer for
    each attribute name (interned, shared by every file that reads it)."""
    kept = sum(len(s.signature) + len(s.summary) + sum(len(m.signature) for m in s.members) for s in symbols.values())
    return kept + len(attributes)


ATTRIBUTE = re.compile(r"(?<=[\w)\]]\.)[A-Za-z_]\w*")
MAX_ATTRIBUTES = 400  # a generated file's thousand names say nothing more about which members code reads


def read_attributes(text: str) -> tuple[str, ...]:
    """The distinct attribute names ``text`` reads (``obj.get``, ``f().value``), interned: a file's share in
    how many files read each name."""
    found = dict.fromkeys(ATTRIBUTE.findall(text))
    return tuple(sys.intern(name) for name in list(found)[:MAX_ATTRIBUTES])


def python_symbols(node: ast.stmt, lines: list[str]) -> list[Symbol]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [Symbol(node.name, "function", header(node, lines), first_doc_line(node), line=node.lineno - 1)]
    if isinstance(node, ast.ClassDef):
        return [_python_class(node, lines)]
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        signature = cut(_source(node, lines))
        return [Symbol(name, "constant", signature, line=node.lineno - 1) for name in names]
    if isinstance(node, (ast.If, ast.Try)):  # `if sys.platform ...: def f` / `try: X = ... except: X = None`
        blocks = [node.body, node.orelse, *(getattr(h, "body", []) for h in getattr(node, "handlers", []))]
        blocks.append(getattr(node, "finalbody", []))
        return [symbol for block in blocks for inner in block for symbol in python_symbols(inner, lines)]
    return []


def _python_class(node: ast.ClassDef, lines: list[str]) -> Symbol:
    members: list[Symbol] = []
    seen: set[str] = set()
    methods = [item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
    seen.update(item.name for item in methods)
    named: set[str] = set()
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if item.name in named:
                continue  # a property's setter, an overload: the first says what it is, the rest is budget
            named.add(item.name)
            kind = "property" if any(_is_property(d) for d in item.decorator_list) else "method"
            members.append(Symbol(item.name, kind, header(item, lines), first_doc_line(item), line=item.lineno - 1))
            if item.name == "__init__":
                members += _self_attributes(item, lines, seen)
        elif isinstance(item, (ast.Assign, ast.AnnAssign)):  # class attributes, dataclass/attrs fields
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id not in seen:
                    seen.add(target.id)
                    members.append(Symbol(target.id, "attribute", cut(_source(item, lines).strip())))
    for item in methods:  # `self.x =` in any other method: an attribute too (after __init__'s)
        if item.name != "__init__":
            members += _self_attributes(item, lines, seen)
    if len(members) > MAX_MEMBERS:  # a huge class (a visitor's hundred visit_ methods): its state stays whole
        room = MAX_MEMBERS - sum(1 for m in members if m.kind == "attribute")
        kept = []
        for member in members:
            if member.kind == "attribute" or room > 0:
                kept.append(member)
                room -= member.kind != "attribute"
        members = kept
    bases = tuple(ast.unparse(b) for b in node.bases)
    return Symbol(
        node.name,
        "class",
        header(node, lines),
        first_doc_line(node),
        bases,
        tuple(members[:MAX_MEMBERS]),
        node.lineno - 1,
    )


def _is_property(decorator: ast.expr) -> bool:
    """``@property``, ``@cached_property``, ``@functools.cached_property``, ``@utils.lazy_property``: read as
    ``obj.name``, never called."""
    name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", "")
    return isinstance(name, str) and name.endswith("property")


def _self_attributes(init: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str], seen: set[str]) -> list[Symbol]:
    found = []
    arguments = init.args
    annotated = {
        a.arg: a.annotation for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs] if a.annotation
    }
    for statement in ast.walk(init):
        targets: list[ast.expr] = []
        if isinstance(statement, ast.Assign):
            targets = list(statement.targets)
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]  # `self.depth += 1` alone in a method: the class holds a depth
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
                kind = made = ""
                if isinstance(statement, (ast.Assign, ast.AnnAssign)):
                    kind = _attribute_type(statement, annotated, lines)
                if not kind and isinstance(statement, ast.Assign):
                    made = _made_by_call(statement, annotated)
                annotation = f": {cut(kind)}" if kind else f" = {made}(...)" if made else ""
                found.append(Symbol(target.attr, "attribute", f"self.{target.attr}{annotation}"))
    return found


def _attribute_type(statement: ast.Assign | ast.AnnAssign, annotated: dict[str, ast.expr], lines: list[str]) -> str:
    """The type ``self.x`` holds, when the statement says it: its annotation, the annotation of the parameter
    it is set from (``self.env = environment``), or the class it is made by (``self.stack = Stack()``). What a
    body reaches through ``self.x.`` are that type's members: the project context follows it."""
    if isinstance(statement, ast.AnnAssign):
        return _written(statement.annotation, lines)
    value = statement.value
    if len(statement.targets) != 1 or isinstance(statement.targets[0], (ast.Tuple, ast.List)):
        return ""
    if isinstance(value, ast.Name) and value.id in annotated:
        return _written(annotated[value.id], lines)
    if isinstance(value, ast.IfExp) and isinstance(value.body, ast.Call):  # `URL(url) if ... else URL(...)`
        value = value.body
    if isinstance(value, ast.Call):
        made = value.func
        simple = isinstance(made, ast.Name) or (isinstance(made, ast.Attribute) and isinstance(made.value, ast.Name))
        name = made.attr if isinstance(made, ast.Attribute) else made.id if isinstance(made, ast.Name) else ""
        if simple and name[:1].isupper():
            return _written(made, lines)  # a class, by convention: `Stack()`, `nodes.Frame(...)`
    return ""


def _made_by_call(statement: ast.Assign, annotated: dict[str, ast.expr]) -> str:
    """``receiver.method`` when ``self.x = receiver.method(...)`` and the receiver is ``self`` or an annotated
    parameter: the method's return annotation is the type (the project context looks it up)."""
    value = statement.value
    if len(statement.targets) != 1 or not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
        return ""
    receiver = value.func.value
    if isinstance(receiver, ast.Name) and (receiver.id == "self" or receiver.id in annotated):
        return f"{receiver.id}.{value.func.attr}"
    return ""


def _written(node: ast.expr, lines: list[str]) -> str:
    """An expression as the file writes it (``"Environment"`` stays quoted), on one line."""
    if node.lineno == node.end_lineno and node.end_col_offset is not None:
        line = lines[node.lineno - 1].encode("utf-8")  # ast's columns count bytes
        return line[node.col_offset : node.end_col_offset].decode("utf-8", "replace")
    return " ".join(ast.unparse(node).split())


def header(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, lines: list[str]) -> str:
    """The definition's own lines, from ``def``/``class`` to its colon (decorators left out)."""
    first = node.lineno - 1
    opening = node.body[0] if node.body else None
    decorated = getattr(opening, "decorator_list", None) or []  # a decorated inner def starts at its decorator
    body_start = min([opening.lineno, *(d.lineno for d in decorated)]) - 1 if opening else first + 1
    own = lines[first:body_start]
    if opening is not None and not decorated:
        # The body may start on a header line (`def f(): ...`, or `) -> int: ...` as the outline closes an
        # empty body): that line up to the body (a quote adds its own ...). Columns count bytes.
        before = lines[body_start].encode("utf-8")[: opening.col_offset].decode("utf-8", "replace")
        if before.strip():
            own.append(before.rstrip())
    end = len(own) - 1
    while end > 0 and (not own[end].strip() or own[end].lstrip().startswith("#")):
        end -= 1  # comments that open the body are not part of the signature (nor a reason to cut it)
    last = min(end, MAX_SIGNATURE_LINES - 1)
    own = own[: last + 1]
    while len(own) > 1 and (not own[-1].strip() or own[-1].lstrip().startswith("#")):
        own.pop()  # where a long parameter list is cut: a comment there says nothing of the signature
    if last < end and not isinstance(node, ast.ClassDef):
        # A long parameter list is cut, but never what the function returns: a caller's next step (and the
        # project context's ``self.stream = env._tokenize(...)``) depends on it.
        indent = re.match(r"\s*", lines[first]).group(0)  # type: ignore[union-attr]
        returns = f" -> {_written(node.returns, lines)}" if node.returns is not None else ""
        own += [f"{indent}    ...", f"{indent}){returns}:"]
    header = textwrap.dedent("\n".join(own)).rstrip()
    return "\n".join(cut(line) for line in header.split("\n"))


def first_doc_line(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> str:
    text = ast.get_docstring(node, clean=True)
    return cut(text.strip().split("\n", 1)[0]) if text else ""


def _source(node: ast.stmt, lines: list[str]) -> str:
    first = node.lineno - 1
    last = min((node.end_lineno or node.lineno) - 1, first + 2)
    return "\n".join(lines[first : last + 1]).strip()
