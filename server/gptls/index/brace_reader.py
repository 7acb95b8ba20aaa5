"""TypeScript, JavaScript and Go files' summaries, read by a scan over the code with strings and comments blanked
out, so a brace or a keyword in a string never reads as a definition."""

from __future__ import annotations

import re

from gptls.index.summary import MAX_MEMBERS, FileSummary, Import, Symbol, cut

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


def read_script(path: str, text: str, language: str) -> FileSummary:
    code = _blanked(text)
    lines, code_lines = text.splitlines(), code.splitlines()
    symbols: dict[str, Symbol] = {}
    for match in _TS_DEF.finditer(code):
        line = code.count("\n", 0, match.start())
        name = match.group("fname") or match.group("cname") or match.group("tname") or match.group("vname")
        kind = "function" if match.group("fn") else "class" if match.group("cls") else "type"
        if match.group("var"):
            kind = "function" if "=>" in code_lines[line] or "function" in code_lines[line] else "constant"
        signature = cut(lines[line].rstrip().rstrip("{").rstrip())
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
                members.append(Symbol(method.group(1), "method", cut(lines[index].strip().rstrip("{").rstrip())))
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
            return cut(stripped)
    return ""


_GO_DEF = re.compile(
    r"^(?:func\s+(?:\((?P<recv>[^)]*)\)\s*)?(?P<fname>\w+)"
    r"|type\s+(?P<tname>\w+)\s+(?P<tkind>struct|interface|\w+)"
    r"|(?:const|var)\s+(?P<vname>\w+))",
    re.MULTILINE,
)


def read_go(path: str, text: str) -> FileSummary:
    code = _blanked(text)
    lines = text.splitlines()
    package = re.search(r"^package\s+(\w+)", code, re.MULTILINE)
    symbols: dict[str, Symbol] = {}
    methods: dict[str, list[Symbol]] = {}
    for match in _GO_DEF.finditer(code):
        line = code.count("\n", 0, match.start())
        signature = cut(lines[line].rstrip().rstrip("{").rstrip())
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
