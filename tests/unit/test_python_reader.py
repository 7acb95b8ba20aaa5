"""What the index reads of a Python file, for the project context: the types a class's attributes hold (so a
prompt can follow ``self.stream.`` to the members of what it holds), definitions under module-level ``if`` and
``try`` blocks, and a huge class's state kept whole."""

from __future__ import annotations

from gptls.index.python_reader import read_python
from gptls.index.summary import MAX_MEMBERS

PARSER = """
from .lexer import TokenStream
from . import nodes


class Parser:
    def __init__(self, environment: "Environment", source: str, name=None) -> None:
        self.environment = environment
        self.stream = TokenStream(source)
        self.frame = nodes.Frame()
        self.name = name
        self.count: int = 0
        self.left, self.right = 1, 2
        self.lower = source.lower()
        self.template = self.environment.get_template(name)
        self.loader = name.loader()
"""


def members(text: str, cls: str) -> dict[str, str]:
    summary = read_python("x.py", text)
    assert summary is not None
    return {m.name: m.signature for m in summary.symbols[cls].members}


def test_an_attribute_s_type_is_read_from_its_annotation_its_parameter_or_the_class_that_makes_it() -> None:
    found = members(PARSER, "Parser")
    assert found["environment"] == 'self.environment: "Environment"'  # the parameter it is set from
    assert found["stream"] == "self.stream: TokenStream"  # made by a class
    assert found["frame"] == "self.frame: nodes.Frame"
    assert found["count"] == "self.count: int"
    # Made by a method of self or of an annotated parameter: the call is quoted, its return annotation is the
    # type (the project context looks it up).
    assert found["lower"] == "self.lower = source.lower(...)"
    # Nothing is said where the statement does not say it.
    for name in ("name", "left", "right", "template", "loader"):
        assert found[name] == f"self.{name}", found[name]


def test_definitions_under_module_level_if_and_try_blocks_are_read() -> None:
    text = (
        "import sys\n"
        "try:\n    from fast import dumps\nexcept ImportError:\n    dumps = None\n"
        "if sys.platform == 'win32':\n    def home() -> str:\n        ...\nelse:\n"
        "    ERRORS: tuple = (OSError,)\n"
    )
    summary = read_python("x.py", text)
    assert summary is not None
    assert {"dumps", "home", "ERRORS"} <= set(summary.symbols)
    assert summary.symbols["home"].signature == "def home() -> str:"


def test_a_huge_class_keeps_its_attributes_and_a_member_read_twice_once() -> None:
    methods = "".join(f"    def visit_{i}(self) -> None:\n        self.state_{i % 30} = {i}\n" for i in range(150))
    text = (
        "class Visitor:\n"
        "    @property\n    def depth(self) -> int:\n        ...\n"
        "    @depth.setter\n    def depth(self, value: int) -> None:\n        ...\n" + methods
    )
    found = members(text, "Visitor")
    assert len(found) <= MAX_MEMBERS
    assert "state_29" in found  # what the methods set, late in the class, is not cut for methods
    summary = read_python("x.py", text)
    assert summary is not None
    depth = [m.signature for m in summary.symbols["Visitor"].members if m.name == "depth"]
    assert depth == ["def depth(self) -> int:"]  # the getter says what it is; the setter is budget


def test_an_attribute_only_ever_incremented_is_still_an_attribute() -> None:
    """jinja2's code generator: ``self._indentation += 1`` in ``indent()``. With ``__init__`` the stub, nothing
    else said the class holds it, and a new ``__init__`` could not know to set it."""
    text = "class Writer:\n    def __init__(self) -> None:\n        ...\n\n    def indent(self) -> None:\n"
    text += "        self.depth += 1\n        self.lines: int\n        self.lines += 1\n"
    found = members(text, "Writer")
    assert found["depth"] == "self.depth"
    assert found["lines"] == "self.lines: int"  # the declaration, not the increment


def test_an_attribute_made_by_a_class_on_either_branch_of_a_conditional_holds_it() -> None:
    """httpx: ``self.url = URL(url) if params is None else URL(url, params=params)``."""
    text = "class Request:\n    def __init__(self, url, params=None) -> None:\n"
    text += "        self.url = URL(url) if params is None else URL(url, params=params)\n"
    assert members(text, "Request")["url"] == "self.url: URL"


def test_the_attribute_names_a_file_reads_are_kept_once_each() -> None:
    """Across the workspace, how many files read ``.get`` says which members of a large class to show first."""
    text = "from .x import y\n\n\ndef f(h, t):\n    h.get('a')\n    h.get('b')\n    return t().value, h[0].raw.close\n"
    summary = read_python("x.py", text)
    assert summary is not None
    assert summary.attributes == ("get", "value", "raw", "close")


def test_a_file_that_reads_thousands_of_attribute_names_keeps_a_bounded_few() -> None:
    """A generated (or hostile) file cannot grow the index's counts without bound: 400 names per file."""
    text = "def f(o):\n" + "".join(f"    o.name_{i}\n" for i in range(5000))
    summary = read_python("x.py", text)
    assert summary is not None
    assert summary.attributes == tuple(f"name_{i}" for i in range(400))
