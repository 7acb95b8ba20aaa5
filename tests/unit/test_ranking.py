"""What a body uses comes first in the project context: the enclosing class's members (fields, __slots__,
``self.x`` set in any method), its bases', this file's nearest definitions, the project's own imports only, and
the members of project types the target names. Plain Python: an index on a folder, no editor."""

from __future__ import annotations

from pathlib import Path

from gptls.actions import BY_ID
from gptls.index import WorkspaceIndex, project_context
from gptls.index.quoted_definitions import lean
from gptls.pipeline import job_at
from gptls.text import Document, Pos, Span

BIG_BASE = "\n".join(f"    def helper_{i}(self, value: int, other: str = 'x') -> int: ..." for i in range(60))
BASE = f"""class Widget:
    def paint_border(self, width: int) -> None:
        ...

{BIG_BASE}
"""
SHAPES = """import os
import json
from dataclasses import dataclass

from .base import Widget
from .far import far_helper


@dataclass
class Point:
    x: float
    y: float


class Frame(Widget):
    __slots__ = ("caption", "origin")

    def __init__(self, caption: str) -> None:
        self.caption = caption

    def move(self, to: Point) -> None:
        self.origin = to
        self.left, self.top = to.x, to.y

    def describe(self) -> str:
        ...
"""
FORMATTER = (
    """class Formatter:
    def indent(self) -> None: ...
"""
    + "\n".join(f"    def format_part_{i}(self, text: str) -> str: ..." for i in range(40))
    + """
    def write_heading(self, heading: str) -> None: ...
    def dedent(self) -> None: ...
"""
)


def index_of(root: Path, files: dict[str, str]) -> WorkspaceIndex:
    for name, text in files.items():
        path = root / "pkg" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    index = WorkspaceIndex([str(root)], ())
    index.build_now()
    return index


def context(root: Path, name: str, text: str, needle: str, budget: int = 6000) -> str:
    path = root / "pkg" / name
    doc = Document(text, "python", path.as_uri())
    line = text[: text.index(needle)].count("\n")
    job = job_at(BY_ID["generate"], doc, Span(Pos(line, 4), Pos(line, 4)))
    assert job is not None
    index = index_of(root, {})
    index.opened = lambda p: text if p == str(path) else None
    return project_context(doc, job.target, budget, index).text


def assert_ranked_before(
    root: Path, name: str, text: str, needle: str, budgets: range, later: str, earlier: str
) -> None:
    """At every budget in ``budgets`` whose context holds ``later``, it holds ``earlier`` too: ``earlier`` is
    placed first. Some budget must reach ``later``, or the test would pass on nothing."""
    reached = 0
    for budget in budgets:
        quoted = context(root, name, text, needle, budget)
        if later in quoted:
            reached += 1
            assert earlier in quoted, (budget, quoted)
    assert reached, f"no budget tried reaches {later!r}"


def test_the_enclosing_class_s_attributes_come_first_wherever_they_are_set(tmp_path: Path) -> None:
    far = "\n\n".join(f"def far_helper_{i}(a: int, b: int, c: int) -> int:\n    ..." for i in range(80))
    index_of(tmp_path, {"__init__.py": "", "base.py": BASE, "far.py": far, "shapes.py": SHAPES})
    quoted = context(tmp_path, "shapes.py", SHAPES, "def describe", budget=1500)
    for attribute in ("self.caption", "self.origin", "self.left", "self.top", '__slots__ = ("caption", "origin")'):
        assert attribute in quoted, quoted
    # and the class's methods, those the target does not name without their parameters' types (what a call
    # writes, for fewer characters)
    assert "def move(self, to) -> None:" in quoted, quoted
    assert "def paint_border(self, width)" in quoted  # inherited: the base's members, in its order
    assert "far_helper_" not in quoted  # another file's unrelated definitions wait for what self reaches


def test_a_long_import_list_keeps_the_project_s_imports_and_the_modules_bound(tmp_path: Path) -> None:
    index_of(tmp_path, {"__init__.py": "", "base.py": BASE, "far.py": "def far_helper() -> int:\n    ...\n"})
    quoted = context(tmp_path, "shapes.py", SHAPES, "def describe")
    assert "import os" in quoted and "from dataclasses import dataclass" in quoted, "a short list: whole"
    many = "".join(f"from collections.abc{i} import Name{i}\n" for i in range(60))
    crowded = SHAPES.replace("import json\n", "import json\n" + many)
    quoted = context(tmp_path, "shapes.py", crowded, "def describe")
    assert "from .base import Widget" in quoted and "from .far import far_helper" in quoted
    assert "import os" in quoted and "import json" in quoted  # what `os.` and `json.` in a body need
    assert "from collections.abc" not in quoted and "from dataclasses" not in quoted


def test_a_file_heading_appears_only_above_a_definition_quoted_from_it(tmp_path: Path) -> None:
    index_of(tmp_path, {"__init__.py": "", "base.py": BASE, "far.py": "def far_helper() -> int:\n    ...\n"})
    quoted = context(tmp_path, "shapes.py", SHAPES, "def describe", budget=900)
    lines = quoted.split("\n")
    for at, line in enumerate(lines):
        if line.startswith("# pkg/"):
            assert at + 1 < len(lines) and not lines[at + 1].startswith("# pkg/"), quoted


def test_the_members_of_a_project_type_in_the_signature_are_quoted(tmp_path: Path) -> None:
    user = "from .formatter import Formatter\n\n\ndef write_usage(formatter: Formatter, name: str) -> None:\n    ...\n"
    index_of(tmp_path, {"__init__.py": "", "formatter.py": FORMATTER, "usage.py": user})
    quoted = context(tmp_path, "usage.py", user, "def write_usage")
    assert "class Formatter:" in quoted
    members = [line for line in quoted.split("\n") if line.startswith("    def ")]
    assert len(members) >= 12, quoted  # a large class: many of its public methods, not a token few


def test_this_file_s_nearest_definitions_win_a_tight_budget(tmp_path: Path) -> None:
    filler = "\n\n".join(f"def early_{i}(a: int, b: int) -> int:\n    ..." for i in range(60))
    text = f"{filler}\n\n\ndef neighbour_before(x: int) -> int:\n    ...\n\n\ndef target(x: int) -> int:\n    ...\n"
    index_of(tmp_path, {"__init__.py": "", "mod.py": text})
    quoted = context(tmp_path, "mod.py", text, "def target", budget=600)
    assert "def neighbour_before(x: int) -> int:" in quoted, quoted
    assert "def early_0(" not in quoted


def test_what_this_file_s_code_calls_comes_before_what_is_only_near(tmp_path: Path) -> None:
    """nodes.py's ``get_eval_context``, far above, is called by every ``as_const``: a new one likely calls it."""
    helper = "def eval_context(node: int) -> int:\n    ...\n\n\n"
    filler = "\n\n".join(f"def early_{i}(a: int, b: int) -> int:\n    ..." for i in range(60))
    user = "def as_const_a(x: int) -> int:\n    return eval_context(x) + 1\n\n\n"
    text = f"{helper}{filler}\n\n\n{user}def as_const(x: int) -> int:\n    ...\n"
    index_of(tmp_path, {"__init__.py": "", "mod.py": text})
    quoted = context(tmp_path, "mod.py", text, "def as_const(x", budget=600)
    assert "def eval_context(node: int) -> int:" in quoted, quoted
    assert "def early_59(" in quoted  # the rest: nearest first, as before


LEXER = (
    '''class Token:
    lineno: int
    type: str


class TokenStream:
    """A stream of tokens."""

    def __init__(self, source: str) -> None:
        self.current = Token()
        self.closed = False

    def skip_if(self, expr: str) -> bool:
        """Like test() but skips the token when it matches, and says whether it did."""

    def expect(self, expr: str) -> Token:
        """The current token, which must match; a syntax error otherwise."""
'''
    + "\n".join(f"    def look_{i}(self) -> Token: ..." for i in range(30))
    + "\n"
)
NODES = "class Node:\n    lineno: int\n\n\nclass And(Node):\n    ...\n\n\nclass Or(Node):\n    ...\n"
PARSER = """from . import nodes
from .lexer import TokenStream


class Parser:
    def __init__(self, source: str) -> None:
        self.stream = TokenStream(source)

    def parse_and(self) -> nodes.Node:
        left = self.parse_not()
        return nodes.And(left, self.parse_not())

    def parse_or(self) -> nodes.Node:
        ...

    def parse_not(self) -> nodes.Node:
        def inner() -> None:
            ...

        return inner()
"""


def test_the_members_of_what_the_enclosing_class_s_attributes_hold_are_quoted(tmp_path: Path) -> None:
    """``self.stream = TokenStream(...)``: a body reaches ``self.stream.skip_if`` and ``.current``."""
    index_of(tmp_path, {"__init__.py": "", "lexer.py": LEXER, "nodes.py": NODES, "parser.py": PARSER})
    quoted = context(tmp_path, "parser.py", PARSER, "def parse_or")
    assert "class TokenStream:" in quoted and "self.current: Token" in quoted, quoted
    assert "def skip_if(self, expr) -> bool:" in quoted
    # Another file's class lists its state first, without its members' docstrings or their parameters' types
    # (the budget goes further: names, defaults and what a method returns stay).
    assert quoted.index("self.current") < quoted.index("def skip_if")
    assert "skips the token" not in quoted


def test_what_the_neighbouring_methods_reach_through_modules_is_quoted(tmp_path: Path) -> None:
    index_of(tmp_path, {"__init__.py": "", "lexer.py": LEXER, "nodes.py": NODES, "parser.py": PARSER})
    quoted = context(tmp_path, "parser.py", PARSER, "def parse_or")
    assert "class And(Node):" in quoted, quoted  # parse_and, just above, builds nodes.And


def test_a_function_nested_in_a_method_sees_the_class_s_members(tmp_path: Path) -> None:
    index_of(tmp_path, {"__init__.py": "", "lexer.py": LEXER, "nodes.py": NODES, "parser.py": PARSER})
    quoted = context(tmp_path, "parser.py", PARSER, "def inner")
    assert "class Parser:" in quoted and "self.stream: TokenStream" in quoted, quoted
    assert "def parse_and(self) -> nodes.Node:" in quoted


def far_below(top: str, bottom: str) -> str:
    """A file whose ``bottom`` is farther below ``top`` than the neighbours' window (60 lines) reaches."""
    filler = "".join(f"def other_{i}() -> None:\n    a = 1\n    b = 2\n    c = 3\n\n\n" for i in range(15))
    return f"{top}\n\n{filler}{bottom}"


def test_what_the_rest_of_the_file_reaches_through_a_project_module_is_quoted(tmp_path: Path) -> None:
    http = "".join(f"def helper_{i}(value: str) -> str:\n    ...\n\n\n" for i in range(40))
    http += "def quote_etag(etag: str, weak: bool = False) -> str:\n    ...\n"
    user = far_below(
        "from . import http\n\n\ndef to_header(value: str) -> str:\n    ...\n",
        "def far_below(value: str) -> str:\n    return http.quote_etag(value)\n",
    )
    index_of(tmp_path, {"__init__.py": "", "http.py": http, "user.py": user})
    quoted = context(tmp_path, "user.py", user, "def to_header")
    assert "def quote_etag(etag: str, weak: bool = False) -> str:" in quoted, quoted
    assert "def helper_7" not in quoted  # what the file does not use of that module waits


def test_the_file_s_own_use_picks_which_members_of_a_large_class_are_shown(tmp_path: Path) -> None:
    user = far_below(
        "from .formatter import Formatter\n\n\ndef write_usage(formatter: Formatter) -> None:\n    ...\n",
        "def far_below(formatter: Formatter) -> None:\n    formatter.dedent()\n",
    )
    index_of(tmp_path, {"__init__.py": "", "formatter.py": FORMATTER, "user.py": user})
    # a budget that holds the relevant members, not the whole class (which is quoted if the budget lasts)
    quoted = context(tmp_path, "user.py", user, "def write_usage", budget=1500)
    assert "    def dedent(self) -> None:" in quoted, quoted  # the last of 43 members, far below: the file uses it
    assert "    def format_part_14(" not in quoted  # it took the place of one the file does not use


def parse_or_with_a_stream_made_by(tmp_path: Path, environment: str) -> str:
    """The context of ``Parser.parse_or`` where ``self.stream = environment.tokenize(source)`` and
    ``environment.py`` (given) defines Environment."""
    parser = PARSER.replace("from .lexer import TokenStream\n", "from .environment import Environment\n").replace(
        "def __init__(self, source: str) -> None:\n        self.stream = TokenStream(source)",
        "def __init__(self, environment: Environment, source: str) -> None:\n"
        "        self.stream = environment.tokenize(source)",
    )
    files = {"__init__.py": "", "lexer.py": LEXER, "nodes.py": NODES, "environment.py": environment}
    index_of(tmp_path, {**files, "parser.py": parser})
    return context(tmp_path, "parser.py", parser, "def parse_or")


def test_an_attribute_made_by_a_parameter_s_method_holds_what_that_method_returns(tmp_path: Path) -> None:
    """``self.stream = environment.tokenize(source)``, ``environment: Environment``, ``tokenize -> TokenStream``."""
    environment = "from .lexer import TokenStream\n\n\nclass Environment:\n"
    environment += "".join(f"    def option_{i}(self) -> int: ...\n" for i in range(30))
    environment += "    def tokenize(self, source: str) -> TokenStream: ...\n"
    quoted = parse_or_with_a_stream_made_by(tmp_path, environment)
    assert "self.stream = environment.tokenize(...)" in quoted, quoted
    assert "class TokenStream:" in quoted and "def skip_if(self, expr) -> bool:" in quoted, quoted


def test_a_long_signature_is_cut_but_keeps_what_the_method_returns(tmp_path: Path) -> None:
    """jinja2's ``_tokenize`` takes its parameters one per line: cut at six lines, its ``-> TokenStream`` was
    lost, and with it what ``self.stream`` holds."""
    environment = "from .lexer import TokenStream\n\n\nclass Environment:\n    def tokenize(\n        self,\n"
    environment += "".join(f"        option_{i}: int = 0,\n" for i in range(8))
    environment += "    ) -> TokenStream:\n        ...\n"
    quoted = parse_or_with_a_stream_made_by(tmp_path, environment)
    assert "def skip_if(self, expr) -> bool:" in quoted, quoted
    assert "option_3=0, ...) -> TokenStream:" in quoted  # Environment, cut, still says what it returns


def test_another_file_s_docstrings_are_quoted_only_for_what_the_target_names(tmp_path: Path) -> None:
    parser = PARSER.replace('"""', "")
    index_of(tmp_path, {"__init__.py": "", "lexer.py": LEXER, "nodes.py": NODES, "parser.py": parser})
    quoted = context(tmp_path, "parser.py", parser, "def parse_or")
    assert "class TokenStream:" in quoted and "A stream of tokens." not in quoted, quoted  # held, not named
    named = parser.replace("def parse_or(self)", "def parse_or(self, stream: TokenStream)")
    quoted = context(tmp_path, "parser.py", named, "def parse_or")
    assert "# A stream of tokens.\nclass TokenStream:" in quoted, quoted


def test_a_used_class_s_base_waits_for_this_file_s_own_definitions(tmp_path: Path) -> None:
    """``visit_FromImport(self, node: nodes.FromImport, ...)``: the node's fields first, the file's own helpers
    next, and only then the base class's dozens of methods."""
    nodes = "class Node:\n" + "".join(f"    def method_{i}(self, a: int) -> int: ...\n" for i in range(14))
    nodes += "\n\nclass FromImport(Node):\n    names: list[str]\n    template: str\n"
    helpers = "".join(f"def helper_{i}(node: FromImport) -> str:\n    ...\n\n\n" for i in range(8))
    user = f"from .nodes import FromImport\n\n\n{helpers}def visit(node: FromImport) -> None:\n    ...\n"
    index_of(tmp_path, {"__init__.py": "", "nodes.py": nodes, "user.py": user})
    quoted = context(tmp_path, "user.py", user, "def visit", budget=800)
    assert "class FromImport(Node):\n    names: list[str]" in quoted, quoted
    assert all(f"def helper_{i}(node: FromImport) -> str:" in quoted for i in range(8)), quoted
    assert "def method_0(" not in quoted  # Node's methods: what is left of the budget did not hold them


def test_the_classes_a_type_alias_names_are_used_classes(tmp_path: Path) -> None:
    """httpx: ``proxy: ProxyTypes`` with ``ProxyTypes = Union["URL", str, "Proxy"]``: a body reads
    ``proxy.url.raw_host`` and ``proxy.raw_auth``."""
    types = 'from typing import Union\n\nfrom .models import URL, Proxy\n\nProxyTypes = Union["URL", str, "Proxy"]\n'
    models = "class URL:\n    raw_host: bytes\n\n\nclass Proxy:\n    url: URL\n\n    def raw_auth(self) -> bytes: ...\n"
    user = "from ._types import ProxyTypes\n\n\ndef connect(proxy: ProxyTypes) -> None:\n    ...\n"
    index_of(tmp_path, {"__init__.py": "", "_types.py": types, "models.py": models, "user.py": user})
    quoted = context(tmp_path, "user.py", user, "def connect")
    assert 'ProxyTypes = Union["URL", str, "Proxy"]' in quoted, quoted
    assert "class Proxy:\n    url: URL\n    def raw_auth(self) -> bytes:" in quoted
    assert "class URL:\n    raw_host: bytes" in quoted


HEADERS = "class Headers:\n" + "".join(
    f"    def header_method_{i}(self, key: str, default: str | None = None) -> str | None: ...\n" for i in range(30)
)
HEADERS += "    def get(self, key: str) -> str | None: ...\n    def set(self, key: str, value: str) -> None: ...\n"
HELPERS = "".join(
    f"def parse_header_{i}(value: str, options: dict[str, str]) -> str:\n    ...\n\n\n" for i in range(30)
)
RESPONSE = (
    "from .headers import Headers\n\n\n"
    + HELPERS
    + """

class Response:
    headers: Headers

    def content_type(self) -> str:
        return self.headers.get("Content-Type") or ""

    def set_content_type(self, value: str) -> None:
        self.headers.set("Content-Type", value)

    def mimetype(self) -> str:
        ...
"""
)


def test_the_members_the_file_reads_of_a_type_its_class_holds_come_before_its_own_functions(tmp_path: Path) -> None:
    """werkzeug's Response holds ``headers: Headers`` and its methods call ``self.headers.get`` and ``.set``:
    those two of Headers' 32 methods are quoted before the file's own thirty functions (which, in this budget,
    push the rest of Headers out)."""
    index_of(tmp_path, {"__init__.py": "", "headers.py": HEADERS, "response.py": RESPONSE})
    quoted = context(tmp_path, "response.py", RESPONSE, "def mimetype", budget=1800)
    assert "class Headers:\n    def get(self, key) -> str | None:\n    def set(self" in quoted, quoted
    assert "def header_method_0(" not in quoted  # the file reads none of the others
    assert "# ... 30 more members" in quoted


def test_what_the_file_reads_one_attribute_further_is_quoted_too(tmp_path: Path) -> None:
    """jinja2's parsers read ``self.stream.current.type``: TokenStream holds ``current: Token``, a Token's type."""
    token = "class Token:\n    lineno: int\n    type: str\n    value: str\n"
    parser = PARSER.replace(
        "        left = self.parse_not()\n",
        "        left = self.parse_not()\n        if self.stream.current.type == 'name':\n            pass\n",
    )
    parser = parser.replace("\n\nclass Parser:", f"\n\n{HELPERS}class Parser:")
    lexer = LEXER.replace(LEXER[: LEXER.index("class TokenStream")], "").replace("class TokenStream", "class Stream")
    lexer = "from .token import Token\n\n\n" + lexer.replace("class Stream", "class TokenStream")
    files = {"__init__.py": "", "token.py": token, "lexer.py": lexer, "nodes.py": NODES}
    index_of(tmp_path, {**files, "parser.py": parser})
    quoted = context(tmp_path, "parser.py", parser, "def parse_or", budget=1500)
    assert "class TokenStream:\n    self.current: Token" in quoted, quoted
    assert "class Token:\n    lineno: int\n    type: str" in quoted
    assert "def parse_header_0(" not in quoted  # the file's own functions farthest from the target made room


def test_a_large_class_s_members_more_files_read_come_first(tmp_path: Path) -> None:
    """Of a class the target only uses, past the 16 members shown, those the workspace's code reads win."""
    users = {f"user_{i}.py": "def use(h) -> None:\n    h.header_method_29()\n    h.get('a')\n" for i in range(3)}
    target = "from .headers import Headers\n\n\ndef build(headers: Headers) -> None:\n    ...\n"
    index_of(tmp_path, {"__init__.py": "", "headers.py": HEADERS, **users, "target.py": target})
    quoted = context(tmp_path, "target.py", target, "def build", budget=1500)  # 16 members, not all
    assert "def header_method_29(" in quoted and "def get(self" in quoted, quoted
    assert "def header_method_20(" not in quoted  # in the class's order it came first: the workspace reads none


def test_a_large_class_s_methods_the_workspace_calls_come_before_fields_it_does_not_read(tmp_path: Path) -> None:
    """rich's Table sets twenty public fields in ``__init__``; what its users call is ``add_column``/``add_row``."""
    fields = "".join(f"        self.option_{i} = {i}\n" for i in range(20))
    table = f"class Table:\n    def __init__(self) -> None:\n{fields}\n    def add_row(self, *cells: str) -> None:\n"
    table += "        ...\n\n    def add_column(self, header: str) -> None:\n        ...\n"
    users = {f"user_{i}.py": "def use(t) -> None:\n    t.add_row('a')\n    t.add_column('b')\n" for i in range(2)}
    target = "from .table import Table\n\n\ndef build(table: Table) -> None:\n    ...\n"
    index_of(tmp_path, {"__init__.py": "", "table.py": table, **users, "target.py": target})
    quoted = context(tmp_path, "target.py", target, "def build", budget=500)  # 16 members, not all 23
    assert "    def add_row(self, *cells) -> None:" in quoted, quoted
    assert "    def add_column(self, header) -> None:" in quoted
    assert "# ... 7 more members" in quoted  # of the 20 fields and 3 methods, 16 shown


def test_a_used_class_s_members_keep_names_defaults_and_returns_and_the_named_ones_their_types(tmp_path: Path) -> None:
    """What a call needs of a class the target uses is its members' names, their parameters' names and defaults
    and what they return: their parameters' types cost a third of a large class's lines."""
    client = (
        "class Response:\n    status: int\n\n\nclass Client:\n"
        "    def fetch(self, url: str, timeout: float | None = 5.0, *, headers: dict[str, str] = {}) -> Response: ...\n"
        "    def close(self, reason: str = 'done, bye') -> None: ...\n"
    )
    user = "from .client import Client\n\n\ndef download(client: Client, url: str) -> bytes:\n    ...\n"
    index_of(tmp_path, {"__init__.py": "", "client.py": client, "user.py": user})
    quoted = context(tmp_path, "user.py", user, "def download")
    assert "    def fetch(self, url, timeout=5.0, *, headers={}) -> Response:" in quoted, quoted
    assert "    def close(self, reason='done, bye') -> None:" in quoted, quoted
    named = user.replace("    ...", '    """Calls client.close(...) when done."""\n    ...')
    quoted = context(tmp_path, "user.py", named, "def download")
    assert "    def close(self, reason: str = 'done, bye') -> None:" in quoted, quoted  # the target names it
    assert "    def fetch(self, url, timeout=5.0, *, headers={}) -> Response:" in quoted


def test_the_enclosing_class_s_docstrings_are_quoted_for_the_members_the_target_names(tmp_path: Path) -> None:
    shapes = SHAPES.replace(
        "    def move(self, to: Point) -> None:\n",
        '    def move(self, to: Point) -> None:\n        """Moves the frame."""\n',
    ).replace(
        "    def describe(self) -> str:\n",
        '    def resize(self) -> None:\n        """Resizes the frame."""\n\n    def describe(self) -> str:\n'
        '        """Says where the frame is: see move."""\n',
    )
    index_of(tmp_path, {"__init__.py": "", "base.py": BASE, "far.py": "def far_helper(): ...\n", "shapes.py": shapes})
    quoted = context(tmp_path, "shapes.py", shapes, "def describe")
    assert "def move(self, to: Point) -> None:  # Moves the frame." in quoted, quoted
    assert "def resize(self) -> None:\n" in quoted and "Resizes the frame." not in quoted, quoted


def test_a_lean_signature_reads_strings_brackets_and_lambdas_whole() -> None:
    assert (
        lean("def f(a: int, b: str = 'x, y)', /, *, c: 'A: =' = 3) -> str:") == "def f(a, b='x, y)', /, *, c=3) -> str:"
    )
    assert lean("def f(a: t.Callable[[int], str] = lambda x: 1, **kw: t.Any):") == "def f(a=lambda x: 1, **kw):"
    assert lean('async def g(self, x: "Foo[int]" = f(1, 2)) -> None:') == "async def g(self, x=f(1, 2)) -> None:"
    assert lean("def f(self, a: int, ...) -> T:") == "def f(self, a, ...) -> T:"  # a list the index cut
    assert lean("def cut_short(a: int, b: dict[str,") == "def cut_short(a: int, b: dict[str,"  # as written
    assert lean("NAME: int = 3") == "NAME: int = 3" and lean("class A(B):") == "class A(B):"


def test_the_members_the_file_reads_of_the_classes_it_imports_and_defines_fill_what_the_budget_leaves(
    tmp_path: Path,
) -> None:
    """A body builds and reads the objects its file works with, whatever its signature names: with room left,
    the members the file's code reads of the classes it imports and defines are quoted (all sixty-one of a
    class bought fewer needs per character than these few: bench/context.py)."""
    shapes = SHAPES + (
        "\n\ndef border(widget: Widget) -> None:\n    widget.paint_border(2)\n    widget.helper_7(1)\n"
        "\n\ndef area_of(name: str) -> float:\n    ...\n"
    )
    index_of(tmp_path, {"__init__.py": "", "base.py": BASE, "far.py": "def far_helper(): ...\n", "shapes.py": shapes})
    quoted = context(tmp_path, "shapes.py", shapes, "def area_of", budget=1000)
    assert "class Widget:\n    def paint_border(self, width) -> None:\n    def helper_7(" in quoted, quoted  # imported
    assert "    # ... 59 more members" in quoted and "helper_8" not in quoted, quoted
    assert "class Frame(Widget):\n    __slots__" in quoted and "    self.caption: str\n" in quoted, quoted  # its own
    # with the budget left, the rest of the classes: all of Widget's 61 members, none cut
    roomy = context(tmp_path, "shapes.py", shapes, "def area_of", budget=6000)
    assert "    def helper_8(" in roomy and "more members" not in roomy, roomy
    tight = context(tmp_path, "shapes.py", shapes, "def area_of", budget=300)
    assert "paint_border" not in tight and "class Frame(Widget):" in tight, tight  # signatures come first


def test_this_file_s_docstrings_are_quoted_for_what_the_target_names(tmp_path: Path) -> None:
    helpers = 'def load(path: str) -> bytes:\n    """Reads the file."""\n\n\ndef save(path: str) -> None:\n'
    helpers += (
        '    """Writes the file."""\n\n\ndef copy(source: str, target: str) -> None:\n    """Uses load."""\n    ...\n'
    )
    index_of(tmp_path, {"__init__.py": "", "helpers.py": helpers})
    quoted = context(tmp_path, "helpers.py", helpers, "def copy")
    assert "# Reads the file.\ndef load(path: str) -> bytes:" in quoted, quoted
    assert "def save(path: str) -> None:" in quoted and "Writes the file." not in quoted, quoted


def test_a_property_reads_as_the_attribute_a_body_writes_and_a_method_as_its_signature(tmp_path: Path) -> None:
    """``response.url``, not ``response.url()``: a property is quoted as ``url: URL`` (half the characters of
    its getter's signature), a method without a ``...`` body."""
    models = (
        "import functools\n\n\nclass URL:\n    host: str\n\n\nclass Response:\n"
        '    @property\n    def url(self) -> "URL":\n        """Where it came from."""\n        return URL()\n\n'
        "    @url.setter\n    def url(self, value: URL) -> None:\n        ...\n\n"
        "    @functools.cached_property\n    def parts(self) -> tuple[int, Callable[[], None]]:  # type: ignore\n"
        "        ...\n\n"
        "    @property\n    def raw(self):\n        ...\n\n"
        "    def read(self, size: int = -1) -> bytes:\n        ...\n"
    )
    user = "from __future__ import annotations\n\nfrom .models import Response\n\n\n"
    user += "def download(response: Response) -> bytes:\n    ...\n"
    index_of(tmp_path, {"__init__.py": "", "models.py": models, "user.py": user})
    quoted = context(tmp_path, "user.py", user, "def download")
    block = 'class Response:\n    url: "URL"\n    parts: tuple[int, Callable[[], None]]\n    raw  # property\n'
    assert block + "    def read(self, size=-1) -> bytes:\n" in quoted, quoted
    assert "from .models import Response" in quoted and "__future__" not in quoted, "says nothing a body uses"
    enclosing = models.replace("        ...\n", "        pass\n", 1) + "\n    def text(self) -> str:\n        ...\n"
    quoted = context(tmp_path, "models.py", enclosing.replace("return URL()", "return URL()  # url"), "def text")
    assert '    url: "URL"\n' in quoted and "def url(" not in quoted, quoted  # the enclosing class's own too


def test_the_names_the_neighbours_use_come_before_the_members_of_the_types_the_class_holds(tmp_path: Path) -> None:
    """A stub's neighbours name what it will likely use (``nodes.And`` beside ``parse_not``): a signature of a
    few characters, quoted before the members of the classes its class holds (``self.stream``'s TokenStream)."""
    nodes = "class Node:\n    lineno: int\n\n\nclass And(Node):\n    left: Node\n    right: Node\n"
    lexer = "class TokenStream:\n" + "".join(
        f"    def look_{i}(self, n: int) -> str:\n        ...\n" for i in range(12)
    )
    parser = (
        "from . import nodes\nfrom .lexer import TokenStream\n\n\nclass Parser:\n"
        "    def __init__(self, source: str) -> None:\n        self.stream = TokenStream(source)\n\n"
        "    def parse_and(self) -> nodes.Node:\n        return nodes.And(self.parse_not(), self.parse_not())\n\n"
        "    def parse_not(self) -> nodes.Node:\n        ...\n"
    )
    index_of(tmp_path, {"__init__.py": "", "nodes.py": nodes, "lexer.py": lexer, "parser.py": parser})
    assert_ranked_before(
        tmp_path, "parser.py", parser, "def parse_not", range(300, 1500, 5), "def look_", "class And(Node):"
    )


def test_a_property_written_oddly_is_quoted_as_written_inside_its_class() -> None:
    from gptls.index.python_reader import read_python
    from gptls.index.quoted_definitions import Entry, member_block

    source = 'class A:\n    @property\n    def p(self,\n          a="""x""",\n    ) -> int:\n        return 1\n'
    summary = read_python("a.py", source)
    assert summary is not None
    block = member_block(Entry("a.py", summary.symbols["A"], True), "#", {})
    assert block == 'class A:\n    def p(self,\n          a="""x""",\n    ) -> int:', block


def test_what_the_file_imports_and_no_other_code_uses_is_what_the_stub_was_imported_for(tmp_path: Path) -> None:
    """A linted file imports nothing it does not use: a module only the removed body read (jinja's ``from .
    import defaults`` in ``babel_extract``) is quoted with its definitions, a name so imported early; a module
    the rest of the file uses brings only what it reads."""
    defaults = "BLOCK_START_STRING = '{%'\nBLOCK_END_STRING = '%}'\nTRIM_BLOCKS = False\n"
    other = "def spare() -> None: ...\n\n\ndef reached(x: int) -> int: ...\n"
    helpers = "def unused_helper(text: str) -> str: ...\n"
    own = "".join(f"def own_{i}(value: int, other: str = 'x') -> int:\n    return value\n\n\n" for i in range(40))
    ext = (
        "from . import defaults, other\nfrom .helpers import unused_helper\n\n\n"
        + own
        + "def extract(source: str) -> list:\n    ...\n\n\ndef later() -> int:\n    return other.reached(1)\n"
    )
    files = {"__init__.py": "", "defaults.py": defaults, "other.py": other, "helpers.py": helpers, "ext.py": ext}
    index_of(tmp_path, files)
    quoted = context(tmp_path, "ext.py", ext, "def extract", 700)
    assert "BLOCK_START_STRING = '{%'" in quoted and "TRIM_BLOCKS = False" in quoted, quoted
    assert "def unused_helper(text: str) -> str:" in quoted, quoted
    roomy = context(tmp_path, "ext.py", ext, "def extract", 6000)
    assert "def reached(" in roomy and "def spare(" not in roomy, roomy
    hub = ext.replace(
        "from .helpers import unused_helper\n",
        "from .helpers import unused_helper\n" + "".join(f"from .other import spare as spare_{i}\n" for i in range(10)),
    )  # eleven names imported and not used: re-exported, not imported for the stub
    quoted = context(tmp_path, "ext.py", hub, "def extract", 700)
    assert "BLOCK_START_STRING" not in quoted and "def own_39(" in quoted, quoted


def test_the_file_s_imports_from_one_module_are_quoted_on_one_line(tmp_path: Path) -> None:
    """A file written one import per line (werkzeug's ``from .datastructures import Headers``, eight times over)
    is quoted a line per module: the same names for the characters of the module's path once."""
    index_of(tmp_path, {"__init__.py": "", "base.py": BASE, "far.py": "def far_helper() -> int:\n    ...\n"})
    split = SHAPES.replace("import json\n", "import json\nimport os\nfrom typing import Any\nfrom typing import IO\n")
    split = split.replace("from .base import Widget\n", "from .base import Widget\nfrom .base import Widget as W\n")
    split = split.replace("from typing import IO\n", "from typing import IO\nfrom typing import *\n")
    quoted = context(tmp_path, "shapes.py", split, "def describe")
    lines = "import os\nimport json\nfrom typing import Any, IO\nfrom typing import *\nfrom dataclasses"
    assert lines in quoted, quoted  # a star import keeps its own line: ``from typing import Any, IO, *`` is no Python
    assert "from .base import Widget, Widget as W\nfrom .far import far_helper" in quoted, quoted


def test_a_class_of_this_file_reached_two_ways_is_quoted_once(tmp_path: Path) -> None:
    """Point is this file's definition (from the open text) and the type Frame's ``origin`` holds (through the
    index's copy of the file): one class, quoted once."""
    index_of(tmp_path, {"__init__.py": "", "base.py": BASE, "far.py": "def far_helper() -> int:\n    ...\n"})
    quoted = context(tmp_path, "shapes.py", SHAPES, "def describe")
    assert quoted.count("class Point:") == 1, quoted


def test_what_is_named_as_the_target_is_quoted_early(tmp_path: Path) -> None:
    """A parser method and the node it builds (``parse_condexpr``: ``nodes.CondExpr``), a method and the
    function it wraps (``Request.parse_cookie``: ``http.parse_cookie``) share a name, case and underscores aside:
    quoted right after what the target names, before the file's own forty definitions."""
    nodes = "class Node:\n    lineno: int\n\n\nclass CondExpr(Node):\n    test: Node\n\n\nclass Cond:\n    pass\n"
    http = "def parse_cookie(header: str) -> dict:\n    ...\n\n\ndef parse_date(value: str) -> int:\n    ...\n"
    own = "".join(f"def own_{i}(value: int, other: str = 'x') -> int:\n    return value\n\n\n" for i in range(40))
    parser = (
        "from . import http, nodes\n\n\n"
        + own
        + "class Parser:\n    def parse_condexpr(self) -> nodes.Node:\n        ...\n\n"
        + "    def parse_cookie(self, header: str) -> dict:\n        ...\n\n"
        + "    def later(self) -> None:\n        nodes.Node()\n        http.parse_date('')\n"
    )
    index_of(tmp_path, {"__init__.py": "", "nodes.py": nodes, "http.py": http, "parser.py": parser})
    quoted = context(tmp_path, "parser.py", parser, "def parse_condexpr", 700)
    assert "class CondExpr(Node):" in quoted and "class Cond:" not in quoted, quoted
    quoted = context(tmp_path, "parser.py", parser, "def parse_cookie", 700)
    assert "def parse_cookie(header: str) -> dict:" in quoted and "parse_date" not in quoted, quoted


def test_a_large_class_s_members_are_picked_by_what_the_file_reads_not_by_its_variables_names(tmp_path: Path) -> None:
    """Of a class over sixteen members, those the file's code reads after a dot are shown; a local variable
    that happens to share a field's name (``value = 1``) does not take one of their places."""
    big = "class Big:\n    value: int\n    name: str\n" + "".join(
        f"    def step_{i}(self) -> int:\n        ...\n" for i in range(20)
    )
    reads = "".join(f"    big.step_{i}()\n" for i in range(16))
    user = (
        "from .big import Big\n\n\ndef run(big: Big) -> None:\n    value = 1\n    name = 'x'\n"
        + reads
        + "    print(value, name)\n\n\ndef between() -> None:\n    pass\n\n\ndef new(big: Big) -> int:\n    ...\n"
    )
    other = "def show(b) -> str:\n    return f'{b.value} {b.name}'\n"  # read as often as each step_
    index_of(tmp_path, {"__init__.py": "", "big.py": big, "user.py": user, "other.py": other})
    quoted = context(tmp_path, "user.py", user, "def new", budget=650)  # 16 members, not all 22
    assert "    def step_15(self) -> int:" in quoted, quoted
    assert "    value: int" not in quoted, quoted


def test_the_members_the_file_reads_of_its_classes_come_before_the_types_quoted_members_name(tmp_path: Path) -> None:
    """``Cart.first() -> Item`` brings Item whole, but per character the few members the file reads of the
    classes it imports bought more (0.18 needs per thousand characters against 0.07: bench/context.py)."""
    prices = "".join(f"    def price_{i}(self, tax: float = 0.2) -> float:\n        ...\n" for i in range(8))
    shop = "class Item:\n" + prices + "\n\nclass Cart:\n    def first(self) -> Item:\n        ...\n\n\n"
    shop += "class Till:\n    def ring(self, cart: 'Cart') -> None:\n        ...\n"
    shop += "".join(f"    def other_{i}(self) -> None:\n        ...\n" for i in range(8))
    user = (
        "from .shop import Cart, Till\n\n\ndef close(till: Till, cart: Cart) -> None:\n    till.ring(cart)\n\n\n"
        "def total(cart: Cart) -> float:\n    ...\n"
    )
    index_of(tmp_path, {"__init__.py": "", "shop.py": shop, "user.py": user})
    ring = "    def ring(self, cart) -> None:"
    assert_ranked_before(tmp_path, "user.py", user, "def total", range(200, 1200, 5), "def price_", ring)


def test_the_members_the_file_reads_of_a_held_type_come_before_the_signatures_it_imports(tmp_path: Path) -> None:
    """``self.headers.get``, read through a type the class holds, bought more needs per character than the
    signatures of every name the file imports (1.46 per thousand characters against 0.46: bench/context.py)."""
    names = ", ".join(f"parse_header_{i}" for i in range(30))
    used = f"\nfrom .helpers import {names}\n\nPARSERS = [{names}]\n\n\n"  # used: not what the stub was imported for
    response = RESPONSE.replace(HELPERS, "").replace("\n\n\n", used, 1)
    files = {"__init__.py": "", "headers.py": HEADERS, "helpers.py": HELPERS, "response.py": response}
    index_of(tmp_path, files)
    # below 500, the enclosing class and a signature or two are all that fit
    get = "    def get(self, key) -> str | None:"
    assert_ranked_before(
        tmp_path, "response.py", response, "def mimetype", range(500, 1500, 10), "def parse_header_", get
    )


def test_a_target_with_an_absurdly_long_name_is_not_looked_up_split_by_split(tmp_path: Path) -> None:
    """A hostile file's function named with 400,000 characters: looking for what is named alike would split the
    name at every character, each split a copy of it (quadratic: minutes on the event loop). Such a name is not
    looked up; the rest of the context is built as ever."""

    class Counting(dict):  # type: ignore[type-arg]
        lookups = 0

        def __contains__(self, key: object) -> bool:
            Counting.lookups += 1
            return super().__contains__(key)

    name = "parse_" + "a" * 400_000
    user = f"from .helpers import helper\n\n\ndef {name}(value: int) -> int:\n    ...\n"
    index = index_of(tmp_path, {"__init__.py": "", "helpers.py": "def helper() -> int:\n    ...\n", "user.py": user})
    index.words = Counting(index.words)
    path = tmp_path / "pkg" / "user.py"
    doc = Document(user, "python", path.as_uri())
    job = job_at(BY_ID["generate"], doc, Span(Pos(3, 4), Pos(3, 4)))
    assert job is not None
    quoted = project_context(doc, job.target, 6000, index).text
    assert "def helper() -> int:" in quoted
    assert Counting.lookups < 100, Counting.lookups


def test_the_classes_the_file_names_most_are_quoted_with_their_members(tmp_path: Path) -> None:
    """rich's markdown.py builds ``Text`` everywhere: a new element's body does too, whatever its signature
    names. A class the file's code names three times past its import comes with its members (the relevant
    few of a large one), not as a bare ``class`` line."""
    panel = "class Panel:\n" + "".join(f"    def part_{i}(self, text: str) -> str: ...\n" for i in range(40))
    uses = "".join(f"\n\ndef show_{i}(text: str) -> Panel:\n    return Panel()\n" for i in range(3))
    view = f"from .panel import Panel\n{uses}\n\ndef make_header(title: str) -> None:\n    ...\n"
    index_of(tmp_path, {"__init__.py": "", "panel.py": panel, "view.py": view})
    quoted = context(tmp_path, "view.py", view, "def make_header", budget=1200)  # 16 members, not all 40
    assert "class Panel:\n    def part_0(self, text) -> str:" in quoted, quoted
    assert "# ... 24 more members" in quoted


def test_the_rest_of_a_quoted_class_comes_before_definitions_that_only_share_words_with_the_target(
    tmp_path: Path,
) -> None:
    """Every member of a class quoted bought about ten times the needs per character of the definitions
    elsewhere that share a word with the target's name (``border_width_3`` for ``border_width``)."""
    widget = "class Widget:\n" + "".join(f"    def part_{i}(self) -> int: ...\n" for i in range(24))
    sizes = "".join(f"def border_width_{i}(size: int) -> int:\n    ...\n\n\n" for i in range(12))
    user = (
        "from .widget import Widget\n\n\ndef paint(widget: Widget) -> None:\n    widget.part_0()\n\n\n"
        "def border_width(widget: Widget) -> int:\n    ...\n"
    )
    index_of(tmp_path, {"__init__.py": "", "widget.py": widget, "sizes.py": sizes, "user.py": user})
    quoted = context(tmp_path, "user.py", user, "def border_width(", budget=1000)
    assert "    def part_23(self) -> int:" in quoted and "more members" not in quoted, quoted
