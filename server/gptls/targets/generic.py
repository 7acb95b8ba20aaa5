"""Functions in every other language (and Python that does not parse mid-edit), by indentation and brace
matching: JavaScript/TypeScript, Go, Rust, Java, C/C++, C#, Kotlin, Lua, Ruby…"""

from __future__ import annotations

import re

from gptls.targets.target import Function
from gptls.text import Document

HEADER = re.compile(
    r"^\s*(?:"
    r"(?:export\s+)?(?:default\s+)?(?:async\s+)?function\b\s*\*?\s*(?P<js>[\w$]+)"
    r"|(?:pub(?:\([\w:]+\))?\s+)?(?:const\s+)?(?:async\s+)?(?:unsafe\s+)?fn\s+(?P<rs>\w+)"
    r"|func\s+(?:\([^)]*\)\s*)?(?P<go>\w+)"
    r"|(?:async\s+)?def\s+(?P<py>\w+)"
    r"|(?:(?:public|private|protected|internal|static|final|abstract|virtual|override|async|inline|extern|"
    r"constexpr|unsafe|synchronized|export)\s+)*"
    r"[\w:<>,\[\]\*&\.\?]+(?:\s+|\s*[\*&]+\s*)(?P<c>[A-Za-z_]\w*)\s*\([^;{}]*\)?\s*(?:const\s*)?"
    r"(?:->\s*[^{;]+|:\s*[^{;=]+|throws\s+[\w., ]+)?\s*\{?\s*$"
    r"|(?:export\s+)?(?:const|let|var)\s+(?P<arrow>[\w$]+)\s*=\s*(?:async\s+)?(?:\([^)]*\)|\w+)\s*=>"
    r")"
)
_NOT_FUNCTIONS = {"if", "for", "while", "switch", "catch", "return", "else", "do", "try", "sizeof", "new"}
STUB_LINE = re.compile(
    r"^\s*(?:\.\.\.|pass|TODO\b.*|todo!\(\)|unimplemented!\(\)|"
    r"raise\s+NotImplementedError(?:\(.*\))?|"
    r"throw\s+new\s+\w*Error\(\s*[\"'`]?(?:not\s+implemented|todo)[^)]*\)\s*;?|"
    r"panic\(\s*\"(?:not\s+implemented|todo)[^)]*\)|"
    r"return\s*;?)\s*$",
    re.IGNORECASE,
)


def heuristic_function(doc: Document, line: int) -> Function | None:
    for start in range(line, max(-1, line - 400), -1):
        text = doc.line(start)
        match = HEADER.match(text)
        if not match:
            continue
        name = next((v for v in match.groupdict().values() if v), "")
        if not name or name in _NOT_FUNCTIONS:
            continue
        end = _block_end(doc, start)
        if end is None or end < line:
            if start < line:
                continue
            end = end if end is not None else start
        indent = text[: len(text) - len(text.lstrip())]
        body = [doc.line(i) for i in range(start + 1, end + 1)]
        return Function(name, start, start, end, indent, _heuristic_stub(text, body))
    return None


def _block_end(doc: Document, start: int) -> int | None:
    """Last line of the block that starts at ``start``: matching brace, else deeper indentation."""
    depth = 0
    seen_brace = False
    for index in range(start, min(len(doc.lines), start + 5000)):
        code = _strip_strings(doc.line(index))
        if not seen_brace and index > start + 3 and "{" not in code:
            break
        for char in code:
            if char == "{":
                depth += 1
                seen_brace = True
            elif char == "}":
                depth -= 1
                if seen_brace and depth == 0:
                    return index
        if not seen_brace and code.rstrip().endswith(";"):
            return index  # a declaration without a body
    if seen_brace:
        return None
    header = doc.line(start)
    indent = len(header) - len(header.lstrip())
    last = start
    for index in range(start + 1, len(doc.lines)):
        text = doc.line(index)
        if not text.strip():
            continue
        if len(text) - len(text.lstrip()) <= indent:
            break
        last = index
    return last


def _strip_strings(code: str) -> str:
    code = re.sub(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|`[^`]*`", '""', code)
    return re.sub(r"//.*$", "", code)


def _heuristic_stub(header: str, body: list[str]) -> bool:
    inner = [header.split("{", 1)[1] if "{" in header else "", *body]
    text = "\n".join(inner)
    if "{" in header or any("{" in b for b in body[:1]):
        text = text.rsplit("}", 1)[0]
        text = text.replace("{", "", 1) if "{" not in header else text
    text = re.sub(r"(\"\"\"|''')[\s\S]*?\1", "", text)  # a docstring-only body is a stub too
    lines = [t for t in (re.sub(r"/\*.*?\*/", "", x).strip() for x in text.split("\n")) if t]
    lines = [t for t in lines if not re.match(r"^(?://|#|--|\*)(?!.*\bTODO\b)", t)]
    lines = [re.sub(r"^(?://|#|--)\s*", "", t) for t in lines]
    return all(STUB_LINE.match(t) for t in lines)
