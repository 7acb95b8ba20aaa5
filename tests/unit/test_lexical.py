"""Inserted comments stay comments and replaced bodies stay inside their function, language by language."""

from __future__ import annotations

import pytest

from gptls.targets.lexical import brace_problem, comment_problem

ESCAPING_BODIES = [
    ("javascript", "return 1;\n}\nisAdmin = true;\nfunction again() {\n"),
    ("javascript", 'x = /"/; } isAdmin = true; {  y = "'),
    ("typescript", "const t = `${'`'}`; }\nisAdmin = true;\nfunction f() {"),
    ("rust", 'let s = r#"a" "#; } fn evil() { let t = "'),
    ("rust", "let x: &'a str = \"\";} fn evil(){ let y = 'b';"),
    ("rust", "/* /* */ { */ }"),
    ("c", "#define OPEN {\n} evil() OPEN"),
    ("c", '// x \\\n" \n} evil(); {'),
    ("cpp", 'auto s = R"x(")x"; } void evil() { auto t = "'),
    ("java", 'String s = "\\u0022; } static { evil(); } String t = \\u0022";'),
    ("csharp", 'var s = @"\\"; } void Evil() { var t = "";'),
    ("go", "return 1\n}\nfunc init() { evil() }\nfunc again() {"),
    ("javascript", "return 'unterminated\n}"),
]
SAFE_BODIES = [
    ("javascript", "const r = /[}]/; const s = '}'; const t = `a${ {a: 1}.a }}`;\nif (x) { return r; }"),
    ("typescript", "const m = new Map<string, {a: number}>();\nreturn a / b / c;"),
    ("rust", 'let c = \'{\'; let s = "}"; /* /* */ } */ let r = r#"}"#; return 1;'),
    ("go", "s := `}`\nreturn s"),
    ("java", "String s = \"}\"; char c = '{'; /* } */ return s;"),
    ("c", 'const char *s = "}"; /* { */ return 0;'),
    ("csharp", 'var s = @"c:\\"; var t = $"{x}}}"; return s;'),
]


@pytest.mark.parametrize(("language", "body"), ESCAPING_BODIES)
def test_a_body_that_leaves_its_function_is_refused(language: str, body: str) -> None:
    assert brace_problem(body, language) is not None


@pytest.mark.parametrize(("language", "body"), SAFE_BODIES)
def test_ordinary_bodies_pass(language: str, body: str) -> None:
    assert brace_problem(body, language) is None


@pytest.mark.parametrize(
    ("language", "comment"),
    [
        ("c", "// O(n) because of the loop \\"),
        ("cpp", "// trigraph ??/"),
        ("java", "/**\n * Returns x *\\u002f static { evil(); } /*\n */"),
        ("java", "// note \\u000a evil();"),
        ("kotlin", "/**\n * a /* nested\n */"),
        ("typescript", "/**\n * done */ evil(); /*\n */"),
        ("javascript", "// O(1)\u2028evil()"),
        ("python", "# ok\rimport os"),
    ],
)
def test_a_comment_that_could_change_code_is_refused(language: str, comment: str) -> None:
    assert comment_problem(comment, language) is not None


@pytest.mark.parametrize(
    ("language", "comment"),
    [
        ("c", "// Complexity: time O(n), space O(1). One pass over the array."),
        ("java", "/**\n * Returns the sum of a and b.\n */"),
        ("rust", "/// Returns the sum."),
        ("python", "# a \\ b in Python comments is harmless"),
    ],
)
def test_ordinary_comments_pass(language: str, comment: str) -> None:
    assert comment_problem(comment, language) is None
