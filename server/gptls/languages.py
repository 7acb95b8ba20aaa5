"""Every fact gptls keeps about a language, in one table: its LSP id and file suffixes, its comments, its
lexical family, how its doc comments and test files look, and the placeholder the demo answers with.

Adding a language is one row here; the index, the actions, the command line and the demo read this table
(``tests/unit/test_languages.py`` holds them to it). A language not listed still works where gptls can read
it by indentation and braces: it gets ``//`` comments and no test-file convention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_THROW = 'throw new Error("gptls demo: a canned answer");'
_JS_TEST = 'test("gptls demo", () => {\n  // {mark}\n});\n'
_RUST_TODO = 'todo!("gptls demo: a canned answer")'


@dataclass(frozen=True)
class Language:
    id: str  # the LSP languageId
    suffixes: tuple[str, ...] = ()  # the files `gptls run` reads as this language (the first names it)
    line_comment: str = "//"
    # The doc comment above a function: "docstring" (Python), a line marker ("///"), or "" for /** ... */.
    doc_comment: str = ""
    family: str = ""  # "c" (preprocessor line splices, raw strings), "js" (template literals, regex literals)
    nested_block_comments: bool = False  # /* /* */ */ nests (a comment gptls writes must not open one)
    raw_backticks: bool = False  # `raw strings` that span lines (Go)
    triple_quotes: bool = False  # """text blocks"""
    index: str = ""  # the index's reader of these files: "python", "typescript", "javascript", "go"
    tests: str = ""  # where Write tests puts tests: "python" (tests/test_x.py), "go" (x_test.go), "script"
    demo_body: str = ""  # a placeholder body that compiles and says it is canned
    demo_test: str = ""  # a canned test in the test file's language ({mark} is the demo's marker)


def _script(language_id: str, suffixes: tuple[str, ...], index: str) -> Language:
    return Language(
        language_id, suffixes, family="js", index=index, tests="script", demo_body=_THROW, demo_test=_JS_TEST
    )


LANGUAGES: tuple[Language, ...] = (
    Language(
        "python",
        (".py", ".pyi"),
        "#",
        doc_comment="docstring",
        index="python",
        tests="python",
        demo_body='raise NotImplementedError("gptls demo: a canned answer")',
        demo_test="def test_gptls_demo():\n    # {mark}\n    assert True\n",
    ),
    _script("javascript", (".js", ".mjs"), "javascript"),
    _script("javascriptreact", (".jsx",), "javascript"),
    _script("typescript", (".ts", ".mts"), "typescript"),
    _script("typescriptreact", (".tsx",), "typescript"),
    Language("vue", (".vue",), family="js"),
    Language("svelte", (".svelte",), family="js"),
    Language(
        "go",
        (".go",),
        doc_comment="//",
        raw_backticks=True,
        index="go",
        tests="go",
        demo_body='panic("gptls demo: a canned answer")',
        demo_test='func TestGptlsDemo(t *testing.T) {\n\t// {mark}\n\tt.Log("gptls demo")\n}\n',
    ),
    Language(
        "rust",
        (".rs",),
        doc_comment="///",
        nested_block_comments=True,
        demo_body='todo!("gptls demo: a canned answer")',
    ),
    Language(
        "java",
        (".java",),
        triple_quotes=True,
        demo_body='throw new UnsupportedOperationException("gptls demo: a canned answer");',
    ),
    Language("c", (".c", ".h"), family="c"),
    Language("cpp", (".cc", ".cpp", ".cxx", ".hpp", ".hh"), family="c"),
    Language("objective-c", (".m",), family="c"),
    Language("objective-cpp", (".mm",), family="c"),
    Language("cuda-cpp", (".cu",), family="c"),
    Language("hlsl", (".hlsl",), family="c"),
    Language("glsl", (".glsl",), family="c"),
    Language("arduino", (".ino",), family="c"),
    Language("csharp", (".cs",), triple_quotes=True),
    Language("kotlin", (".kt", ".kts"), nested_block_comments=True, triple_quotes=True),
    Language("swift", (".swift",), nested_block_comments=True, triple_quotes=True),
    Language("scala", (".scala",), nested_block_comments=True, triple_quotes=True),
    Language("dart", (".dart",), nested_block_comments=True, triple_quotes=True),
    Language("d", (".d",), nested_block_comments=True),
    Language("groovy", (".groovy",), triple_quotes=True),
    Language("php", (".php",)),
    Language("ruby", (".rb",), "#", doc_comment="#"),
    Language("shellscript", (".sh", ".bash"), "#", doc_comment="#"),
    Language("sh", (), "#"),
    Language("bash", (), "#"),
    Language("perl", (".pl", ".pm"), "#"),
    Language("r", (".r",), "#", doc_comment="#"),
    Language("yaml", (".yaml", ".yml"), "#"),
    Language("toml", (".toml",), "#"),
    Language("elixir", (".ex", ".exs"), "#", doc_comment="#"),
    Language("julia", (".jl",), "#"),
    Language("nim", (".nim",), "#"),
    Language("powershell", (".ps1",), "#"),
    Language("coffeescript", (".coffee",), "#"),
    Language("sql", (".sql",), "--"),
    Language("lua", (".lua",), "--", doc_comment="---"),
    Language("haskell", (".hs",), "--"),
    Language("ada", (".adb", ".ads"), "--"),
    Language("elm", (".elm",), "--"),
    Language("lisp", (".lisp",), ";;"),
    Language("clojure", (".clj",), ";;"),
    Language("scheme", (".scm",), ";;"),
    Language("racket", (".rkt",), ";;"),
    Language("commonlisp", (), ";;"),
    Language("erlang", (".erl",), "%"),
    Language("latex", (".tex",), "%"),
    Language("tex", (), "%"),
    Language("matlab", (), "%"),
    Language("octave", (), "%"),
    Language("prolog", (), "%"),
    Language("vim", (".vim",), '"'),
    Language("fortran", (".f90", ".f"), "!"),
)

BY_ID = {language.id: language for language in LANGUAGES}
_OTHER = Language("plaintext")
BY_SUFFIX = {suffix: language for language in LANGUAGES for suffix in language.suffixes}
# The files the project index reads, and with which reader.
INDEXED_SUFFIXES = {suffix: language.index for suffix, language in BY_SUFFIX.items() if language.index}

C_FAMILY = frozenset(language.id for language in LANGUAGES if language.family == "c")
JS_FAMILY = frozenset(language.id for language in LANGUAGES if language.family == "js")
NESTED_BLOCK_COMMENTS = frozenset(language.id for language in LANGUAGES if language.nested_block_comments)
RAW_BACKTICK = frozenset(language.id for language in LANGUAGES if language.raw_backticks)
TRIPLE_QUOTES = frozenset(language.id for language in LANGUAGES if language.triple_quotes)
WITH_TESTS = tuple(language.id for language in LANGUAGES if language.tests)


# What opens a comment line in the languages above, for reading the lines around a target when the language is
# not certain (an instruction comment's neighbours, a comment that describes a function). Every language's line
# comment starts with one of these, but for the two below (tests/unit/test_languages.py holds it).
COMMENT_OPENERS = ("#", "//", "--", ";", "%", "/*", "*", "<!--", "(*")
NOT_AN_OPENER_ELSEWHERE = ('"', "!")  # Vim's and Fortran's: a string and a negation in most languages
COMMENT_LINE = re.compile(r"^\s*(?:" + "|".join(re.escape(o) for o in COMMENT_OPENERS) + ")")
# A comment or docstring line above a function: "#" but a C preprocessor line or a shebang.
DESCRIBING_LINE = re.compile(
    r"^\s*(?:#(?!include|define|pragma|!)|"
    + "|".join(re.escape(o) for o in COMMENT_OPENERS if o != "#")
    + r"|\"\"\"|''')"
)


def language(language_id: str) -> Language:
    """The facts for an LSP languageId (any case); a language gptls does not list gets the defaults."""
    return BY_ID.get(language_id.lower(), _OTHER)


def of_suffix(suffix: str) -> Language | None:
    """The language of a file suffix (".py"), or None when gptls does not know it."""
    return BY_SUFFIX.get(suffix.lower())


def comment_prefix(language_id: str) -> str:
    return language(language_id).line_comment
