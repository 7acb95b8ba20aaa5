"""Finding the target and building bounded context, without an editor."""

from __future__ import annotations

import pytest

from gptls.exclusion import is_excluded
from gptls.file_context import build_context
from gptls.targets import find_function, function_target, target_at
from gptls.text import Document, Pos, Span


def cursor(doc: Document, needle: str) -> Span:
    offset = doc.text.index(needle)
    pos = doc.position(offset)
    return Span(pos, pos)


@pytest.mark.parametrize(
    "body",
    [
        "    ...",
        "    pass",
        "    raise NotImplementedError",
        "    raise NotImplementedError('later')",
        '    """Only a docstring."""',
        "    # TODO: write me\n    pass",
    ],
)
def test_python_stub_bodies_are_recognised(body) -> None:
    doc = Document(f"import os\n\n\ndef make(x: int) -> int:\n{body}\n\n\ndef done():\n    return 1\n", "python")
    function = find_function(doc, 3)
    assert function is not None and function.name == "make" and function.is_stub
    assert not find_function(doc, 8).is_stub


def test_python_method_inside_a_class_with_decorators() -> None:
    text = "class A:\n    @property\n    def size(self):\n        return 3\n\n    def grow(self):\n        ...\n"
    doc = Document(text, "python")
    size = find_function(doc, 3)
    assert (size.name, size.start_line, size.end_line, size.indent) == ("size", 2, 3, "    ")
    grow = target_at(doc, cursor(doc, "grow"))
    assert grow.kind == "stub" and grow.text == "    def grow(self):\n        ..."


def test_python_that_does_not_parse_falls_back_to_indentation() -> None:
    doc = Document("def broken(x:\n    return (\n\ndef ok():\n    pass\n", "python")
    assert find_function(doc, 4).name == "ok"


def test_nested_function_is_the_innermost() -> None:
    doc = Document("def outer():\n    def inner():\n        pass\n    return inner\n", "python")
    assert find_function(doc, 2).name == "inner"
    assert find_function(doc, 3).name == "outer"


def test_no_function_at_module_level() -> None:
    doc = Document("import os\nx = 1\n", "python")
    assert target_at(doc, cursor(doc, "x = 1")) is None


@pytest.mark.parametrize(
    ("language", "text", "name", "stub"),
    [
        ("javascript", "function add(a, b) {\n  // TODO\n}\n", "add", True),
        (
            "typescript",
            "export async function load(id: string): Promise<void> {\n  throw new Error('not implemented');\n}\n",
            "load",
            True,
        ),
        ("go", 'func Sum(xs []int) int {\n\tpanic("not implemented")\n}\n', "Sum", True),
        ("rust", "pub fn parse(s: &str) -> u32 {\n    todo!()\n}\n", "parse", True),
        ("rust", "pub fn parse(s: &str) -> u32 {\n    s.len() as u32\n}\n", "parse", False),
        ("java", "public static int twice(int x) {\n    return x * 2;\n}\n", "twice", False),
        ("c", "int main(void) {\n}\n", "main", True),
        ("typescript", "const pick = (xs: number[]) => {\n  return xs[0];\n};\n", "pick", False),
    ],
)
def test_functions_in_other_languages(language, text, name, stub) -> None:
    doc = Document(text, language)
    function = find_function(doc, 1)
    assert function is not None and (function.name, function.is_stub) == (name, stub)
    assert function.end_line == text.rstrip("\n").count("\n")


def test_if_blocks_are_not_functions() -> None:
    doc = Document("void f() {\n  if (x) {\n    y();\n  }\n}\n", "c")
    assert find_function(doc, 2).name == "f"


def test_comment_describing_a_function_is_a_target_with_an_insertion_point() -> None:
    doc = Document("import os\n\n# count the lines of a file\n# ignoring blank ones\n\nx = 1\n", "python")
    target = target_at(doc, cursor(doc, "ignoring"))
    assert target.kind == "comment" and target.span.empty
    assert target.span.start == Pos(3, len("# ignoring blank ones"))
    assert target.text == "# count the lines of a file\n# ignoring blank ones"


def test_comment_right_above_existing_code_is_not_a_generation_target() -> None:
    doc = Document("# adds numbers\ndef add(a, b):\n    return a + b\n", "python")
    assert target_at(doc, cursor(doc, "adds")) is None


def test_selection_is_the_target_and_knows_its_function() -> None:
    doc = Document("def f(items):\n    total = 0\n    return total\n", "python")
    start = doc.position(doc.text.index("total = 0"))
    end = doc.position(doc.text.index("total = 0") + len("total = 0"))
    target = target_at(doc, Span(start, end))
    assert target.kind == "selection" and target.text == "total = 0" and target.function.name == "f"


def test_out_of_range_positions_are_clamped() -> None:
    doc = Document("def f():\n    pass\n", "python")
    assert doc.clamp(Pos(99, 99)) == Pos(2, 0)
    assert doc.clamp(Pos(-5, -5)) == Pos(0, 0)
    target = target_at(doc, Span(Pos(1, 500), Pos(1, 500)))
    assert target.kind == "stub"


def test_context_has_imports_class_and_near_signatures_within_budget() -> None:
    far = "".join(f"def far_{i}(x):\n    return x\n\n" for i in range(400))
    text = (
        "import os\nfrom typing import Any\n\n" + far + "class Shape:\n    def area(self):\n        ...\n\n"
        "    def perimeter(self):\n        return 0\n"
    )
    doc = Document(text, "python")
    function = find_function(doc, text.count("\n", 0, text.index("def area")))
    context = build_context(doc, function_target(doc, function), 300)
    assert "import os" in context and "from typing import Any" in context
    assert "class Shape:" in context and "def perimeter(self):" in context
    assert "def area" not in context, "the target itself is sent once, as the target"
    assert len(context) <= 300
    assert "far_0(" not in context, "distant signatures give way to near ones"


def test_context_budget_zero_sends_no_context() -> None:
    doc = Document("import os\ndef f():\n    pass\n", "python")
    assert build_context(doc, function_target(doc, find_function(doc, 1)), 0) == ""


@pytest.mark.parametrize(
    ("uri", "excluded"),
    [
        ("file:///p/.env", True),
        ("file:///p/.env.local", True),
        ("file:///p/certs/server.pem", True),
        ("file:///p/id_rsa.key", True),
        ("file:///p/app/secrets/db.py", True),
        ("file:///p/app/secretsauce.py", False),
        ("file:///p/app/main.py", False),
        ("untitled:Untitled-1", False),
    ],
)
def test_exclude_globs(uri, excluded) -> None:
    assert is_excluded(uri, (".env*", "*.pem", "*.key", "**/secrets/**")) is excluded
