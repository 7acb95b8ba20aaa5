"""The project context a prompt quotes: the definitions a change needs, from every file, within the budget.

What goes in, in order of rank: the enclosing class with its members (fields, ``__slots__``, ``self.x`` set
anywhere) and its bases' members; the names the target uses (for a stub: the names in its signature, docstring
and comment), resolved to their definitions in this file or across the project; what the file imports and no
other code of it uses (of a module so bound, its definitions); what is named as the target (``parse_condexpr``:
``CondExpr``); the members of the classes the target uses; of the types the classes so far hold, the members
the file reads; the signatures of every project name this file imports (one level deep); this file's own
definitions, those its code uses first, nearest first; the bases of the classes the target uses; for a stub,
what its neighbouring functions or methods use (``nodes.And``); the members of the project classes the file's
code names most; the members of the project types those classes' attributes hold (annotated, set from an
annotated parameter, or made by a class); if the budget lasts, the members the file reads of the classes it
imports and defines; then every member of the classes quoted; the types the quoted members name; then
definitions elsewhere in the workspace whose names share words with the target's. Signatures are quoted, never
bodies; a docstring's first line only for what the target names, and the parameters' annotations of a used
class's other members are left out (names, defaults and return types stay): the budget buys more
definitions (bench/context.py).

The text is deterministic and ordered stable-first — other files sorted by path, then this file, each by
line — so consecutive requests in one file share a long identical prefix, which OpenAI's prompt caching
serves at a tenth of the price.
"""

from __future__ import annotations

import functools
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from gptls.index.quoted_definitions import FEW_MEMBERS, Entry, definition_block, quoted_cost, return_annotation
from gptls.index.resolve import Found, Resolver
from gptls.index.summarize import summarize
from gptls.index.summary import CALLABLE_MEMBERS, FileSummary, Import, Symbol
from gptls.index.workspace import WorkspaceIndex, name_words
from gptls.targets import Target
from gptls.text import Document

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MADE_BY = re.compile(r"self\.\w+ = (\w+)\.(\w+)\(\.\.\.\)$")  # the index's `self.x = env.make(...)`
CHAIN = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
COMMON = frozenset(
    {
        "self",
        "cls",
        "None",
        "True",
        "False",
        "return",
        "def",
        "class",
        "if",
        "else",
        "for",
        "in",
        "not",
        "and",
        "or",
        "str",
        "int",
        "list",
        "dict",
        "the",
        "a",
        "of",
        "to",
        "is",
        "const",
        "let",
        "var",
        "function",
        "func",
    }
)
MAX_LEXICAL = 12
MAX_ALIKE = 3
MAX_NAME_WORD = 64
# A file importing more names than this that its code never uses re-exports them (an ``__init__.py``): they say
# nothing of what a new body needs
MAX_UNUSED = 10
# Of the budget, at most, for the enclosing class's members (0.35 read better on the tuning projects and worse
# on the held-out ones: bench/context.py)
ENCLOSING_SHARE = 0.5
# A class quoted whole, if the budget lasts: every member, or no more than before
WHOLE = 1.0
# A member's line, indent and newline included, takes at least this: a class with more members than the budget
# holds lines is never rendered whole (a hostile file's class of 100,000 members would be, on every prompt)
MEMBER_LINE = 10
# The classes the file's code names most: this many, each written this many times in its text (three past its
# import line)
MOST_USED = 3
MOST_USED_TIMES = 4


@dataclass
class Quoted:
    """What a prompt's project context holds: the text, and the files it quotes (for Show Last Request)."""

    text: str = ""
    files: list[str] = field(default_factory=list)


def project_context(doc: Document, target: Target, budget: int, index: WorkspaceIndex | None) -> Quoted:
    """The ranked, bounded context for ``target`` in ``doc`` (whose open text wins over the disk)."""
    if budget <= 0:
        return Quoted()
    path = _path(doc.uri)
    own = _own_summary(doc, path, index)
    if own is None:
        return Quoted()
    resolver = Resolver.of(index) if index is not None else None
    view = _file_view(doc, path, own, index, resolver)
    names = view.names
    wanted = _wanted_names(doc, target, own)
    named = {chain[-1] for chain in wanted}
    entries: list[Entry] = []
    # where it is -> added as: 0 signature, 1 the members read, 2 the relevant members, 3 every member
    seen: dict[tuple[str, str, int], int] = {}
    inherited: list[Found] = []
    offered = [0]  # characters of signatures offered so far: past twice the budget, more cannot be quoted

    def add(
        found: Found | None,
        *,
        members: bool = False,
        share: float = 0.0,
        read_only: frozenset[str] = frozenset(),
        whole: bool = False,
    ) -> None:
        if found is None or found.symbol.kind == "module":
            return
        if not (members or whole) and offered[0] > 2 * budget:
            return
        offered[0] += quoted_cost(found.symbol)
        if found.path == path and _inside_target(found.symbol, target):
            return
        key = _where(found.path, found.symbol)
        level = 3 if whole else 0 if not members else 1 if read_only else 2
        if key in seen and seen[key] >= level:
            return  # already there (an entry with more members, later, upgrades one with fewer)
        seen[key] = level
        summarized = found.symbol.name in named
        with_members = members or whole
        entries.append(Entry(found.path, found.symbol, with_members, WHOLE if whole else share, summarized, read_only))
        if resolver is not None and found.symbol.kind == "class" and members and not read_only:
            for base in resolver.bases(found):  # what self reaches includes what it inherits
                if share:
                    add(base, members=True, share=share / 2)
                else:
                    inherited.append(base)  # a used class's bases: after this file's own definitions

    # 1. the enclosing class, every member (fields, __slots__, self.x anywhere) and its bases': what the body
    # reaches through self comes before anything else
    enclosing = _enclosing_class(own, target)
    if enclosing is not None:
        add(Found(path, enclosing), members=True, share=ENCLOSING_SHARE)
    # 2. what the target names (chains: mod.f, obj.attr where obj is a class), as signatures
    used_classes: list[Found] = []
    for chain in wanted:
        found = _follow(chain, names, resolver, used_classes)
        add(found)
        if found is not None and found.symbol.kind == "class":
            used_classes.append(found)
        elif found is not None and resolver is not None and index is not None:
            # a type alias (``proxy: ProxyTypes``, ``ProxyTypes = Union["URL", str, "Proxy"]``): what it names
            for aliased in _aliased_classes(found, path, names, resolver, index):
                if aliased not in used_classes:
                    used_classes.append(aliased)
    # 2b. what the file imports and none of its other code uses: what the new body was imported for (a
    # linted file imports nothing it does not use); of a module bound so (``from . import defaults``), its
    # definitions
    if resolver is not None and index is not None and own.language == "python":
        unused = _imported_unused(doc, own, names, path)
        for found in unused if len(unused) <= MAX_UNUSED else []:
            summary = index.summary(found.path) if found.symbol.kind == "module" else None
            if summary is None:
                add(found)
                continue
            for symbol in sorted(summary.symbols.values(), key=lambda s: s.line):
                add(Found(found.path, symbol))
    # 2c. what is named as the target, or as its name past its first word: a method and the function it wraps
    # (``parse_cookie``), a parser and the node it builds (``parse_condexpr``: ``nodes.CondExpr``)
    if index is not None:
        for found in _named_alike(index, target, path):
            add(found)
    # 3. the members of the classes the target uses (its signature's types among them)
    for found in sorted(used_classes, key=lambda f: len(f.symbol.members)):  # small ones are read whole
        add(found, members=True)
    # 4. of the types the classes so far hold, the members the file's code reads (``self.headers.get``:
    # Response holds ``headers: Headers``; the rest of Headers comes at 7), and one level further through the
    # members read (``self.stream.current.type``: TokenStream's current is a Token)
    chains = _file_chains(doc)
    if resolver is not None and index is not None:
        followers = _file_followers(doc)
        holding = [e for e in entries if e.with_members]
        for _level in range(2):
            start = len(entries)
            for entry in holding:
                for found, attribute in _types_held([Found(entry.path, entry.symbol)], path, names, resolver, index):
                    if entry.read_only and attribute not in entry.read_only:
                        continue
                    read = followers.get(attribute, frozenset())
                    if read & {m.name for m in found.symbol.members}:
                        add(found, members=True, read_only=read)
            holding = entries[start:]
    # 4b. every project name this file imports (one level deep): per thousand characters, 0.46 needs against the
    # 1.46 of the members read before
    for found in view.imported:
        add(found)
    # 5. this file's own definitions and constants: those its code uses (the name written again past its
    # definition: nodes.py's ``get_eval_context``, called by every ``as_const``) first; nearest the target first
    line = target.anchor.start.line
    for found in sorted(view.own, key=lambda f: (chains[(f.symbol.name,)] < 2, abs(f.symbol.line - line))):
        add(found)
    # 5b. what the classes the target uses inherit (nodes.FromImport's fields come at 3, its base Node's
    # dozen methods only here: a body reads the fields of what it is handed more than the base's machinery)
    while inherited:
        add(inherited.pop(0), members=True)
    # 6. for a stub, what its neighbours use (their words also pick which members of a large class to show):
    # signatures, a few characters each, that bought more needs per character than the classes' members of 7
    # to 9 (measured per step, bench/context.py), so before them
    near: set[str] = set()
    if target.kind in ("stub", "comment"):
        for chain in _neighbour_names(doc, target, own):
            if chain[0] != "self":
                add(_follow(chain, names, resolver))
            near.update(part for part in chain if part not in COMMON)
        # what the rest of the file reaches through the project modules it binds (``http.quote_etag``),
        # the most used first
        for chain, _count in chains.most_common():
            head = names.get(chain[0])
            if head is not None and head.symbol.kind == "module" and len(chain) > 1:
                add(_follow(chain, names, resolver))
    # 6b. the project classes the file's code names most (three of them, each named three times past its import),
    # their members: a body builds and reads the objects its file works with (``Text`` in rich's markdown.py)
    # whatever the target names
    heads = _file_heads(doc)
    most_used = [f for f in view.imported if f.symbol.kind == "class" and heads[f.symbol.name] >= MOST_USED_TIMES]
    for found in sorted(most_used, key=lambda f: -heads[f.symbol.name])[:MOST_USED]:
        add(found, members=True)
    # 7. the project types the attributes of those classes hold (``self.stream = TokenStream(...)``: a body
    # reaches ``self.stream.skip_if``), the enclosing class's first
    if resolver is not None and index is not None:
        holders = [Found(e.path, e.symbol) for e in entries if e.with_members and not e.read_only]
        for found, _attribute in _types_held(holders, path, names, resolver, index):
            add(found, members=True)
    # 8. if the budget lasts: of the classes this file imports, then of its own, the members its code reads
    # (a body builds and reads the objects its file works with, whatever the target names; all their members
    # bought fewer needs per character than these few, and these more than the types of 9: 0.18 needs per
    # thousand characters against 0.07)
    reads = frozenset(own.attributes)
    for found in [*view.imported, *view.own]:
        if found.symbol.kind == "class":
            read = reads & {m.name for m in found.symbol.members}
            if read:
                add(found, members=True, read_only=read)
    # 9. if the budget lasts, the rest of the classes quoted (without it, the steps above never show what a large
    # class holds past its relevant few, nor what a small one holds that the file does not read): before the two
    # steps below, which bought a tenth of what this one lost past the budget (per character, on two draws)
    for entry in list(entries):
        symbol = entry.symbol
        level = seen[_where(entry.path, symbol)]
        partial = level < 2 or (level == 2 and len(symbol.members) > FEW_MEMBERS)
        fits = len(symbol.members) * MEMBER_LINE <= budget
        if symbol.kind == "class" and symbol.members and not entry.share and partial and fits:
            add(Found(entry.path, symbol), whole=True)
    # 10. the project types the quoted members name (Cart.items: list[Item] brings Item)
    if resolver is not None:
        for entry in [e for e in entries if e.with_members and not e.read_only and e.symbol.members]:
            summary = index.summary(entry.path) if index is not None else None
            if summary is None:
                continue
            known = resolver.names_in_file(entry.path, summary)
            for member in entry.symbol.members:
                for word in WORD.findall(member.signature):
                    hit = known.get(word)
                    if hit is not None and hit.symbol.kind == "class":
                        add(hit, members=True)
    # 11. words the target shares with definitions elsewhere in the workspace
    if index is not None:
        for found in _lexical(index, target, path, entries):
            add(found)
    # the file's words that pick a large class's members: what its code reads after a dot (``ctx.lookup_default``),
    # not the names of its variables (a local ``value`` took a slot from a method in every class with a field so named)
    used = {part for chain in chains for part in chain[1:]}
    words = dict.fromkeys(used, 2) | dict.fromkeys(near, 1) | dict.fromkeys(named, 0)
    return _render(entries, path, budget, index, own, words, line, resolver)


def _named_alike(index: WorkspaceIndex, target: Target, path: str) -> list[Found]:
    """The classes and functions of other files named as the target, or as its name past its first word, case
    and underscores aside (``parse_condexpr``: ``CondExpr``). The index's word map finds them: a name of two
    words is looked up by the rarer one (``condexpr`` is ``cond`` + ``expr``)."""
    function = target.function
    if function is None:
        return []
    name = function.name.lstrip("_")
    wanted = [_squashed(name)]
    if "_" in name:
        wanted.append(_squashed(name.split("_", 1)[1]))
    out: dict[tuple[str, str], Found] = {}
    for word in wanted:
        if not 3 <= len(word) <= MAX_NAME_WORD:
            continue  # a name of 500,000 characters (a hostile file) would cost that many lookups of that length
        options = [index.words.get(word, set())]
        options += [
            min(index.words[word[:i]], index.words[word[i:]], key=len)
            for i in range(3, len(word) - 2)
            if word[:i] in index.words and word[i:] in index.words
        ]
        for hits in options:
            for other, hit in sorted(h for h in hits if h[0] != path and _squashed(h[1]) == word):
                summary = index.files.get(other)
                symbol = summary.get(hit) if summary is not None else None
                if symbol is not None and symbol.kind in ("class", "function"):
                    out.setdefault((other, hit), Found(other, symbol))
    return list(out.values())[:MAX_ALIKE]


def _squashed(name: str) -> str:
    """A name as the named-alike rule compares it: case and underscores aside."""
    return name.lower().replace("_", "")


def _where(path: str, symbol: Symbol) -> tuple[str, str, int]:
    """A definition by where it is, not by object: this file's summary from the open text and the index's copy of
    it are two objects for one class, which was quoted twice."""
    return (path, symbol.name, symbol.line)


def _imported_unused(doc: Document, own: FileSummary, names: dict[str, Found], path: str) -> list[Found]:
    """The project definitions the file imports whose bound name its text never writes again."""
    written = _file_heads(doc)
    out = []
    for imp in own.imports:
        if imp.star:
            continue
        bound = [alias for _original, alias in imp.names] or [imp.alias or imp.module.split(".")[0]]
        for name in bound:
            found = names.get(name)
            if found is not None and found.path != path and written[name] <= 1:  # the import's own line
                out.append(found)
    return out


def _follow(
    chain: tuple[str, ...], names: dict[str, Found], resolver: Resolver | None, classes: list[Found] | None = None
) -> Found | None:
    """What ``a.b.c`` names, attribute by attribute (a module's name, a class's member); the classes passed on
    the way are noted in ``classes``."""
    found = names.get(chain[0])
    for part in chain[1:]:
        if found is None or resolver is None:
            break
        nxt = resolver.attribute(found, part)
        if nxt is None:
            break
        if found.symbol.kind == "class" and classes is not None:
            classes.append(found)
        found = nxt
    return found


def _types_held(
    holders: list[Found], path: str, names: dict[str, Found], resolver: Resolver, index: WorkspaceIndex
) -> list[tuple[Found, str]]:
    """The project classes the attributes of ``holders`` (classes) are annotated with or made by, with the
    attribute's name."""
    out: list[tuple[Found, str]] = []
    for holder in holders:
        known = _names_of(holder.path, path, names, resolver, index)
        if known is None:
            continue
        for member in holder.symbol.members:
            if member.kind != "attribute":
                continue
            _name, colon, annotation = member.signature.partition(":")
            made = MADE_BY.match(member.signature)
            if colon:
                found = _class_named(annotation.split("=", 1)[0], known, resolver)
            elif made:
                found = _returned(holder, made.group(1), made.group(2), path, names, known, resolver, index)
            else:
                continue
            if found is not None and found.symbol is not holder.symbol:
                out.append((found, member.name))
    return out


def _names_of(
    file: str, path: str, names: dict[str, Found], resolver: Resolver, index: WorkspaceIndex
) -> dict[str, Found] | None:
    """What ``file`` can name: the prompt's own names for its own file (the open text), else the index's."""
    if file == path:
        return names
    summary = index.summary(file)
    return resolver.names_in_file(file, summary) if summary is not None else None


def _aliased_classes(
    found: Found, path: str, names: dict[str, Found], resolver: Resolver, index: WorkspaceIndex
) -> list[Found]:
    """The project classes a type alias names: a module constant written in CamelCase (``ProxyTypes``; an
    ALL_CAPS one is a value), quoted as ``ProxyTypes = Union["URL", str, "Proxy"]``."""
    symbol = found.symbol
    if symbol.kind != "constant" or not symbol.name[:1].isupper() or symbol.name.isupper():
        return []
    _name, equals, value = symbol.signature.partition("=")
    known = _names_of(found.path, path, names, resolver, index) if equals else None
    if known is None:
        return []
    out = []
    for match in CHAIN.finditer(value):
        hit = _follow(tuple(match.group().split(".")), known, resolver)
        if hit is not None and hit.symbol.kind == "class":
            out.append(hit)
    return out


def _class_named(annotation: str, known: dict[str, Found], resolver: Resolver) -> Found | None:
    """The first project class an annotation names (``t.Optional["Environment"]``: Environment)."""
    for match in CHAIN.finditer(annotation):
        found = _follow(tuple(match.group().split(".")), known, resolver)
        if found is not None and found.symbol.kind == "class":
            return found
    return None


def _returned(
    holder: Found,
    receiver: str,
    method: str,
    path: str,
    names: dict[str, Found],
    known: dict[str, Found],
    resolver: Resolver,
    index: WorkspaceIndex,
) -> Found | None:
    """The class ``receiver.method(...)`` returns, by the method's annotation: ``self.stream =
    environment._tokenize(...)`` with ``environment: Environment`` and ``def _tokenize(...) -> TokenStream``."""
    owner: Found | None = holder
    if receiver != "self":  # a parameter of one of the holder's methods (its __init__, as a rule)
        written = re.compile(rf"[(,]\s*{re.escape(receiver)}\s*:\s*([^,=)]+)")
        hits = (written.search(m.signature) for m in holder.symbol.members if m.kind == "method")
        annotation = next((hit.group(1) for hit in hits if hit), None)
        owner = _class_named(annotation, known, resolver) if annotation else None
    callee = resolver.attribute(owner, method) if owner is not None else None
    returns = return_annotation(callee.symbol.signature) if callee is not None else ""
    owner_names = _names_of(owner.path, path, names, resolver, index) if owner is not None and returns else None
    if owner_names is None:
        return None
    return _class_named(returns, owner_names, resolver)


@dataclass(frozen=True)
class _FileView:
    """What every prompt in one file starts from, whatever its target: worked out once per text."""

    names: dict[str, Found]  # every name the file can use: its own definitions, then what it imports
    imported: list[Found]  # the other files' definitions it imports, by name
    own: list[Found]  # its own definitions, by line


def _file_view(
    doc: Document, path: str, own: FileSummary, index: WorkspaceIndex | None, resolver: Resolver | None
) -> _FileView:
    version = index.version if index is not None else -1
    memo = doc.memo.get("index.view")
    if memo is not None and memo[0] is own and memo[1] == version:
        found: _FileView = memo[2]
        return found
    names = resolver.names_in_file(path, own) if resolver is not None else {}
    for name, symbol in own.symbols.items():
        names[name] = Found(path, symbol)
    view = _FileView(
        names,
        [names[name] for name in sorted(names) if names[name].path != path],
        [names[name] for name in sorted(own.symbols, key=lambda n: own.symbols[n].line)],
    )
    doc.memo["index.view"] = (own, version, view)
    return view


def file_context(doc: Document, budget: int, index: WorkspaceIndex | None) -> str:
    """The context that does not depend on where the cursor is: the definitions this file imports from the
    project (one level deep) and its own, laid out stable-first. Completions quote it: it stays the same while
    the user types, so consecutive requests share it as a cached prefix."""
    if budget <= 0:
        return ""
    path = _path(doc.uri)
    own = _own_summary(doc, path, index)
    if own is None:
        return ""
    resolver = Resolver.of(index) if index is not None else None
    view = _file_view(doc, path, own, index, resolver)
    entries = [Entry(f.path, f.symbol, False) for f in [*view.imported, *view.own] if f.symbol.kind != "module"]
    return _render(entries, path, budget, index, own, {}, 0, resolver).text


@functools.lru_cache(maxsize=1024)
def _path(uri: str) -> str:
    parsed = urlparse(uri)
    return unquote(parsed.path) if parsed.scheme in ("file", "") else uri


def _own_summary(doc: Document, path: str, index: WorkspaceIndex | None) -> FileSummary | None:
    key = "index.own"
    if key not in doc.memo:
        language = "python" if doc.is_python else doc.language_id
        if index is not None and path in index.files:
            doc.memo[key] = index.summary_of_text(path, doc.text, language)
        else:
            doc.memo[key] = summarize(path, doc.text, language)
    found: FileSummary | None = doc.memo[key]
    return found


def _inside_target(symbol: Symbol, target: Target) -> bool:
    return target.anchor.start.line <= symbol.line <= target.anchor.end.line


def _wanted_names(doc: Document, target: Target, own: FileSummary) -> list[tuple[str, ...]]:
    """The names (as attribute chains) the target uses; for a stub or a comment, the words of its signature,
    docstring and comment too. In order of appearance."""
    chains: list[tuple[str, ...]] = []
    text = target.text
    if own.language == "python":
        # Dotted names as written (a scan, not a parse: the target may be a stub that does not parse, and a
        # hover burst makes this once per function). ``a.b.c`` offers a.b.c, a.b and a; ``self.x`` only self.
        for match in CHAIN.finditer(text):
            parts = tuple(match.group().split("."))
            if parts[0] == "self":
                parts = parts[:1]
            chains.extend(parts[:end] for end in range(len(parts), 0, -1))
    for word in WORD.findall(text):
        if word not in COMMON:
            chains.append((word,))
    return list(dict.fromkeys(chains))


def _enclosing_class(own: FileSummary, target: Target) -> Symbol | None:
    line = target.anchor.start.line
    best = None
    for symbol in own.symbols.values():
        above = symbol.kind == "class" and symbol.line <= line and bool(symbol.members)
        if above and (best is None or symbol.line > best.line):
            best = symbol
    if best is None:
        return None
    function = target.function
    if function is None or not function.indent:
        return None
    # Indented below the nearest class above, with no top-level definition between: inside that class (a
    # method, or a function nested in one: its body reaches self's members too).
    if any(best.line < symbol.line < line for symbol in own.symbols.values()):
        return None
    return best


def _neighbour_names(doc: Document, target: Target, own: FileSummary) -> list[tuple[str, ...]]:
    """The names (as attribute chains) used by the functions or methods just before and after the target."""
    functions = [s for s in own.symbols.values() if s.kind == "function"]
    for symbol in own.symbols.values():
        functions += [m for m in symbol.members if m.kind in CALLABLE_MEMBERS] if symbol.kind == "class" else []
    functions.sort(key=lambda s: s.line)
    line = target.anchor.start.line
    before = [s for s in functions if s.line < line][-1:]
    after = [s for s in functions if s.line > target.anchor.end.line][:1]
    chains: list[tuple[str, ...]] = []
    for symbol in before + after:
        end = min(len(doc.lines), symbol.line + 60)
        for match in CHAIN.finditer("\n".join(doc.line(i) for i in range(symbol.line, end))):
            parts = tuple(match.group().split("."))
            if parts[0] not in COMMON or (parts[0] == "self" and len(parts) > 1):
                chains.append(parts)
    return list(dict.fromkeys(chains))


def _file_chains(doc: Document) -> Counter[tuple[str, ...]]:
    """The attribute chains the file's code uses (``self.stream.current``, ``http.quote_etag``), counted: what
    its other functions reach is what a new one most likely reaches. Worked out once per text."""
    memo = doc.memo.get("index.chains")
    if memo is None:
        memo = doc.memo["index.chains"] = Counter(tuple(m.group().split(".")) for m in CHAIN.finditer(doc.text))
    found: Counter[tuple[str, ...]] = memo
    return found


def _file_heads(doc: Document) -> Counter[str]:
    """How often the file writes each name that starts a chain (``http`` in ``http.quote_etag``). Worked out once
    per text."""
    memo = doc.memo.get("index.heads")
    if memo is None:
        memo = Counter()
        for chain, count in _file_chains(doc).items():
            memo[chain[0]] += count
        doc.memo["index.heads"] = memo
    found: Counter[str] = memo
    return found


def _file_followers(doc: Document) -> dict[str, frozenset[str]]:
    """For each name the file's chains pass through, the names read right after it (``self.headers.get``:
    headers -> get). Worked out once per text."""
    memo = doc.memo.get("index.followers")
    if memo is None:
        after: dict[str, set[str]] = {}
        for chain in _file_chains(doc):
            for name, following in zip(chain, chain[1:]):
                after.setdefault(name, set()).add(following)
        memo = doc.memo["index.followers"] = {name: frozenset(names) for name, names in after.items()}
    found: dict[str, frozenset[str]] = memo
    return found


def _lexical(index: WorkspaceIndex, target: Target, path: str, taken: list[Entry]) -> list[Found]:
    """Definitions elsewhere whose names share the most words with the target's identifiers (the index keeps
    a word -> definitions map, so this reads a few sets, never the whole workspace)."""
    target_words: set[str] = set()
    for word in set(WORD.findall(target.text)):
        target_words |= name_words(word)
    seen = {(e.path, e.symbol.name) for e in taken}
    scores: dict[tuple[str, str], int] = {}
    if len(target_words) > 200:
        return []
    for word in target_words:
        hits = index.words.get(word, ())
        if len(hits) > 200:
            continue  # a word half the workspace uses says nothing
        for hit in hits:
            if hit[0] != path and hit not in seen:
                scores[hit] = scores.get(hit, 0) + 1
    out: list[Found] = []
    for (other, name), _score in sorted(scores.items(), key=lambda item: (-item[1], item[0])):
        summary = index.files.get(other)
        symbol = summary.get(name) if summary is not None else None
        if symbol is not None:
            out.append(Found(other, symbol))
        if len(out) >= MAX_LEXICAL:
            break
    return out


def _render(
    entries: list[Entry],
    path: str,
    budget: int,
    index: WorkspaceIndex | None,
    own: FileSummary,
    words: dict[str, int],
    line: int = 0,
    resolver: Resolver | None = None,
) -> Quoted:
    """As many entries as the budget holds, by rank; then laid out stable-first."""
    comment = "#" if own.language == "python" else "//"
    chosen: dict[str, list[tuple[int, str]]] = {}
    used = 0
    imports = _imports_text(own, path, resolver, budget)
    if imports and len(imports) < budget // 4:  # what the file already imports: the names it can use
        chosen[path] = [(-1, imports)]
        used += len(imports) + len(_heading(path, path, index, comment)) + 2
    placed: dict[tuple[str, str, int], tuple[int, str]] = {}  # where it is -> (line, block) chosen
    readers = index.readers if index is not None else {}
    headings: dict[str, str] = {}
    for entry in entries:
        if used >= budget - 20:
            break  # full
        # The enclosing class's members nearest the target first; a base's (another place) in its own order.
        near = line if entry.path == path and entry.share == ENCLOSING_SHARE else -1
        limit = 0 if entry.share == WHOLE else int(budget * entry.share)  # whole, or not in place of fewer
        block = definition_block(entry, comment, words, near, limit, readers)
        key = _where(entry.path, entry.symbol)
        before = placed.get(key)
        if entry.path not in headings:
            headings[entry.path] = _heading(entry.path, path, index, comment)
        heading = 0 if entry.path in chosen else len(headings[entry.path]) + 1
        cost = len(block) + 1 + heading - (len(before[1]) + 1 if before else 0)
        if used + cost > budget:
            continue  # a smaller, lower-ranked one may still fit
        blocks = chosen.setdefault(entry.path, [])
        if before is not None:  # the class again, now with its members: in place of its signature
            blocks.remove(before)
        placed[key] = (entry.symbol.line, block)
        blocks.append(placed[key])
        used += cost
    for file in chosen:
        headings.setdefault(file, _heading(file, path, index, comment))
    others = sorted((p for p in chosen if p != path), key=lambda p: headings[p])
    parts = []
    for file in [*others, *([path] if path in chosen else [])]:
        texts = [b for _line, b in sorted(chosen[file], key=lambda item: item[0])]
        parts.append(headings[file] + "\n" + "\n".join(texts))
    return Quoted("\n".join(parts), [file for file in others])


def _imports_text(own: FileSummary, path: str, resolver: Resolver | None, budget: int) -> str:
    """What the file imports: the names a body can use without adding an import (``np``, ``Path``). A long list
    keeps the project's own imports and the modules bound by ``import x``; the stdlib's and third parties'
    ``from x import a, b`` lines go first (a model knows those modules; it needs only what is bound here)."""
    if own.language != "python":
        return ""
    every: dict[tuple[int, str], list[str]] = {}  # one line per module: ``from .x import a, b``, not two
    kept: dict[tuple[int, str], list[str]] = {}
    for imp in own.imports:
        if imp.module == "__future__":
            continue  # changes how the file is compiled, names nothing a body uses
        if imp.star:  # a line of its own: ``from x import *, a`` is no Python
            key, names = (-1, f"from {'.' * imp.level}{imp.module} import *"), []
        elif imp.names:
            key = (imp.level, imp.module)
            names = [n if n == a else f"{n} as {a}" for n, a in imp.names]
        else:
            key = (-1, f"import {imp.module}" + (f" as {imp.alias}" if imp.alias else ""))
            names = []
        every.setdefault(key, []).extend(names)
        if not (imp.names or imp.star) or _projects(imp, path, resolver):
            kept.setdefault(key, []).extend(names)
    text = _import_lines(every)
    return text if len(text) <= budget // 8 else _import_lines(kept)


def _import_lines(imports: dict[tuple[int, str], list[str]]) -> str:
    lines = []
    for (level, module), names in imports.items():
        if level < 0:
            lines.append(module)
        else:
            lines.append(f"from {'.' * level}{module} import {', '.join(dict.fromkeys(names))}")
    return "\n".join(lines)


def _projects(imp: Import, path: str, resolver: Resolver | None) -> bool:
    if resolver is None:
        return bool(imp.level)  # no index to tell the project's modules: its relative imports at least
    module = resolver.import_target(path, imp)
    return module is not None and resolver.module_path(module) is not None


def _heading(file: str, path: str, index: WorkspaceIndex | None, comment: str) -> str:
    if file == path:
        return f"{comment} this file ({os.path.basename(path)})"
    if index is None:
        return f"{comment} {file}"
    relative: dict[str, str] = index.memo.setdefault("relative", {})  # the roots never change
    if file not in relative:
        relative[file] = index.relative(file)
    return f"{comment} {relative[file]}"
