"""Whether text gptls inserts into code can change what the code does, in the target language's own terms.

A comment or doc comment gptls writes must stay a comment: no C line splice (a ``//`` comment ending in
``\\`` swallows the next line), no Java ``\\u`` escape (javac decodes them before lexing, so ``\\u000a`` ends a
line comment and ``*\\u002f`` a block comment), no comment terminator or opener, no line terminator the
language counts that the editor may not show (JavaScript ends lines at U+2028). A body that replaces a brace
language's function body must keep its braces balanced outside strings and comments, so the function still
ends at its own closing brace (a "body" that closes the function early could rebind a global after it).

Each check returns a problem to tell the user, or None; the edit is refused on a problem.
"""

from __future__ import annotations

import re

from gptls.languages import C_FAMILY, JS_FAMILY, NESTED_BLOCK_COMMENTS, RAW_BACKTICK, TRIPLE_QUOTES

# Line terminators some language counts that a comment's author may not see.
HIDDEN_BREAKS = re.compile("[\r\x0b\x0c\x85\u2028\u2029]")
_JAVA_UNICODE = re.compile(r"(?<!\\)(?:\\\\)*\\u+[0-9a-fA-F]{4}")


def comment_problem(comment: str, language_id: str, newline: str = "\n") -> str | None:
    """Why the comment text gptls is about to insert (markers included) could change code, or None."""
    language = language_id.lower()
    body = comment.replace(newline, "\n")
    if HIDDEN_BREAKS.search(body):
        return "it holds a line break the editor may not show"
    if language == "java" and re.search(r"\\u", body):
        return "it holds a \\u escape, which Java decodes before reading comments"
    lines = body.split("\n")
    if language in C_FAMILY and any(line.rstrip(" \t").endswith("\\") or "??/" in line for line in lines):
        return "a line of it ends in a backslash, which joins the next line of code to the comment"
    stripped = [line.strip() for line in lines]
    block = bool(stripped) and stripped[0].startswith("/*")
    inner = "\n".join(stripped)[2:-2] if block and stripped[-1].endswith("*/") else "\n".join(stripped)
    if "*/" in inner or (block and "/*" in inner):
        return "it holds a comment terminator or opener"
    return None


def brace_problem(body: str, language_id: str) -> str | None:
    """Why ``body`` would not stay inside its function's braces, or None: braces outside strings and
    comments must never close more than they opened and must all be closed at the end."""
    language = language_id.lower()
    if language in C_FAMILY:
        if "??" in body:
            return "it holds a trigraph"
        if re.search(r"^[ \t]*#", body, re.MULTILINE):
            return "it holds a preprocessor directive (a macro can hide a brace)"
        body = re.sub(r"\\\r?\n", "", body)  # line splices go first, as in the compiler
    if language == "java":
        body = _JAVA_UNICODE.sub(lambda m: _decode_java(m.group(0)), body)
    depth = 0
    for token in _code_tokens(body, language):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return "it closes the function's brace before the function ends"
        elif token == "unterminated":
            return "a string or comment in it is never closed"
    if depth != 0:
        return "its braces are not balanced"
    return None


def _decode_java(escape: str) -> str:
    backslashes = len(escape) - len(escape.lstrip("\\"))
    digits = escape[-4:]
    return "\\" * (backslashes - 1) + chr(int(digits, 16))


_REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^") | {""}
_REGEX_KEYWORDS = {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else"}


def _code_tokens(text: str, language: str) -> list[str]:
    """The braces outside strings and comments, and "unterminated" if a string or comment never ends."""
    out: list[str] = []
    i, n = 0, len(text)
    last = ""  # the last significant character or word, for telling a JS regex from a division
    templates: list[int] = []  # JS: brace depth at each open ${ of a template literal
    depth = 0
    nested = language in NESTED_BLOCK_COMMENTS
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if text.startswith("/*", i):
            level, i = 1, i + 2
            while i < n and level:
                if text.startswith("*/", i):
                    level, i = level - 1, i + 2
                elif nested and text.startswith("/*", i):
                    level, i = level + 1, i + 2
                else:
                    i += 1
            if level:
                return [*out, "unterminated"]
            continue
        raw = _raw_string_end(text, i, language)
        if raw is not None:
            if raw < 0:
                return [*out, "unterminated"]
            i, last = raw, "x"
            continue
        if language in TRIPLE_QUOTES and text.startswith('"""', i):
            end = text.find('"""', i + 3)
            if end < 0:
                return [*out, "unterminated"]
            i, last = end + 3, "x"
            continue
        if c == '"' or (c == "'" and language != "rust") or (c == "`" and language in JS_FAMILY | RAW_BACKTICK):
            if c == "`" and language in JS_FAMILY:
                i = _template(text, i + 1, out, templates, depth)
                if i < 0:
                    return [*out, "unterminated"]
                last = "x"
                continue
            end = _string_end(text, i + 1, c, escapes=c != "`", multiline=c == "`" or language == "rust")
            if end < 0:
                return [*out, "unterminated"]
            i, last = end, "x"
            continue
        if c == "'" and language == "rust":
            match = re.match(r"'(?:\\(?:u\{[0-9a-fA-F]{1,6}\}|x[0-9a-fA-F]{2}|.)|[^'\\\n])'", text[i:])
            i += len(match.group(0)) if match else 1  # otherwise a lifetime: 'a
            last = "x"
            continue
        if c == "/" and language in JS_FAMILY and last in _REGEX_BEFORE | _REGEX_KEYWORDS:
            end = _regex_end(text, i + 1)
            if end < 0:
                return [*out, "unterminated"]
            i, last = end, "x"
            continue
        if c == "{":
            depth += 1
            out.append(c)
        elif c == "}":
            if templates and depth == templates[-1]:
                templates.pop()
                i = _template(text, i + 1, out, templates, depth)
                if i < 0:
                    return [*out, "unterminated"]
                last = "x"
                continue
            depth -= 1
            out.append(c)
        if c.isalnum() or c in "_$":
            word = re.match(r"[\w$]+", text[i:])
            assert word is not None
            last = word.group(0)
            i += len(last)
            continue
        if not c.isspace():
            last = c
        i += 1
    return out


_RUST_RAW = re.compile(r'b?r(#*)"')
_CPP_RAW = re.compile(r'(?:u8|[uUL])?R"([^ ()\\\t\n]{0,16})\(')
_SWIFT_RAW = re.compile(r'(#+)"')


def _raw_string_end(text: str, i: int, language: str) -> int | None:
    """Past the end of a raw string starting at ``i`` (Rust r#"…"#, C++ R"d(…)d", C# @"…", Swift #"…"#),
    -1 when it never ends, None when none starts here. Inside them a backslash is no escape."""
    if i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_"):
        return None
    if language == "rust" and (m := _RUST_RAW.match(text, i)):
        end = text.find('"' + m.group(1), m.end())
        return -1 if end < 0 else end + 1 + len(m.group(1))
    if language in C_FAMILY and (m := _CPP_RAW.match(text, i)):
        end = text.find(")" + m.group(1) + '"', m.end())
        return -1 if end < 0 else end + 2 + len(m.group(1))
    if language == "csharp" and text.startswith(('@"', '$@"', '@$"'), i):
        j = text.index('"', i) + 1
        while j < len(text):
            if text.startswith('""', j):
                j += 2
            elif text[j] == '"':
                return j + 1
            else:
                j += 1
        return -1
    if language == "swift" and (m := _SWIFT_RAW.match(text, i)):
        end = text.find('"' + m.group(1), m.end())
        return -1 if end < 0 else end + 1 + len(m.group(1))
    return None


def _string_end(text: str, i: int, quote: str, *, escapes: bool, multiline: bool) -> int:
    while i < len(text):
        c = text[i]
        if escapes and c == "\\":
            i += 2
            continue
        if c == quote:
            return i + 1
        if c == "\n" and not multiline:
            return -1
        i += 1
    return -1


def _template(text: str, i: int, out: list[str], templates: list[int], depth: int) -> int:
    """Past the end of a template literal's text (its closing backtick, or an opening ``${``)."""
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            return i + 1
        if text.startswith("${", i):
            templates.append(depth)
            return i + 2
        i += 1
    return -1


def _regex_end(text: str, i: int) -> int:
    in_class = False
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "\n":
            return -1
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            return i + 1
        i += 1
    return -1
