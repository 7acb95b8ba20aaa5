"""The context bench's truth (bench/needs.py: jedi, not gptls) and its baseline (bench/rule.py: no gptls code)
say what they claim on a small project: a bench whose truth is wrong measures nothing."""

from __future__ import annotations

import random
from pathlib import Path

from bench.misses import PLACES, place
from bench.needs import Need, by_file, draw
from bench.rule import by_path, rule_blocks, signatures_rule

from gptls.index import WorkspaceIndex

MODELS = """from dataclasses import dataclass


@dataclass
class Item:
    name: str
    price: float

    def total(self, quantity: int) -> float:
        return self.price * quantity
"""
SHOP = """import os

from .models import Item

LIMIT = 10


class Cart:
    __slots__ = ("items", "owner")

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.items: list[Item] = []

    def discount(self) -> float:
        return 0.1

    def checkout(self, quantity: int) -> float:
        local = quantity + LIMIT
        first = self.items[0]
        price = first.total(local) * (1 - self.discount())
        return price + len(os.sep) + len(self.owner)
"""


def project(root: Path) -> Path:
    (root / "shop").mkdir()
    (root / "shop" / "__init__.py").write_text("")
    (root / "shop" / "models.py").write_text(MODELS)
    (root / "shop" / "cart.py").write_text(SHOP)
    return root


def test_jedi_finds_what_the_body_uses_and_leaves_out_locals_parameters_and_the_stdlib(tmp_path: Path) -> None:
    (case,) = draw("shop", project(tmp_path), 1, random.Random(0))
    assert case.function == "checkout"
    assert {n.name for n in case.same} == {"LIMIT", "items", "discount", "owner"}
    assert {n.name for n in case.cross} == {"total"}
    assert "    def checkout(self, quantity: int) -> float:\n        ...\n" in case.stub


def test_a_need_counts_when_its_definition_is_quoted_not_when_it_is_named() -> None:
    method = Need("total", "/m.py", 9, "function")
    assert method.quoted_in({"/m.py": "class Item:\n    def total(self, quantity: int) -> float: ..."})
    assert not method.quoted_in({"/m.py": "# total is what Item.total returns\nx = item.total(3)"})
    field = Need("items", "/c.py", 12, "statement")
    assert field.quoted_in({"/c.py": "class Cart:\n    self.items: list[Item]"})
    assert field.quoted_in({"/c.py": 'class Cart:\n    __slots__ = ("items", "owner")'})
    assert not field.quoted_in({"/c.py": "for item in cart.items:"})


def test_a_definition_of_the_same_name_in_another_file_is_not_the_need(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "shop" / "report.py").write_text("class Report:\n    def total(self) -> int:\n        return 0\n")
    total = Need("total", str(root / "shop" / "models.py"), 9, "function")
    cart = str(root / "shop" / "cart.py")
    elsewhere = "Project context\n# shop/report.py\nclass Report:\n    def total(self) -> int:\n# this file (cart.py)\n"
    assert not total.quoted_in(by_file(elsewhere, root, cart))
    assert total.quoted_in(by_file(elsewhere + "# shop/models.py\nclass Item:\n    def total(self, q):", root, cart))
    # A comment that names no file of the project is the quoted text, not a heading
    quoted = by_file("# shop/models.py\n# shop/nowhere.py\nclass Item:\n    def total(self, q):", root, cart)
    assert total.quoted_in(quoted)
    limit = Need("LIMIT", cart, 5, "statement")
    assert limit.quoted_in(by_file("# this file (cart.py)\nLIMIT = 10", root, cart))
    assert not limit.quoted_in(by_file("LIMIT = 10\n# shop/models.py\n", root, cart))  # above every heading


def test_the_plain_rule_quotes_own_signatures_then_imported_ones_within_the_budget(tmp_path: Path) -> None:
    root = project(tmp_path)
    stub = SHOP.split("        local =", maxsplit=1)[0] + "        ...\n"
    path = str(root / "shop" / "cart.py")
    quoted = signatures_rule(stub, path, root, stub.count("\n") - 2, 6000)
    assert "def discount(self) -> float:" in quoted and "LIMIT = 10" in quoted
    assert "class Item:" in quoted and "def total(self, quantity: int) -> float:" in quoted  # one level deep
    assert "import os" not in quoted
    assert len(signatures_rule(stub, path, root, 0, 80)) <= 80
    # Each block is quoted from its own file: Item from models.py, where the need `total` is defined
    blocks = by_path(rule_blocks(stub, path, root, stub.count("\n") - 2, 6000))
    assert Need("total", str(root / "shop" / "models.py"), 9, "function").quoted_in(blocks)
    assert Need("discount", path, 15, "function").quoted_in(blocks)
    assert not Need("total", path, 15, "function").quoted_in(blocks)


def test_the_tuning_projects_other_functions_leave_out_those_drawn_first(tmp_path: Path) -> None:
    root = project(tmp_path)
    body = "    top = LIMIT\n    low = 0\n    return top - low\n"  # a body long enough to be drawn
    (root / "shop" / "more.py").write_text(f"from .cart import LIMIT\n\n\ndef one():\n{body}\n\ndef two():\n{body}")
    every = draw("shop", root, 10, random.Random(0))
    first = draw("shop", root, 1, random.Random(0))
    others = draw("shop", root, 10, random.Random(1), frozenset((c.path, c.line) for c in first))
    assert len(every) == 3
    assert sorted(c.function for c in others) == sorted(c.function for c in every if c.function != first[0].function)


def test_a_missed_need_is_placed_by_how_the_context_quotes_its_class(tmp_path: Path) -> None:
    root = project(tmp_path)
    index = WorkspaceIndex([str(root)], ())
    index.build_now()
    models = str(root / "shop" / "models.py")
    total = Need("total", models, 9, "function")
    cart = str(root / "shop" / "cart.py")

    def where(context: str) -> str:
        return place(total, by_file(context, root, cart), index)

    assert where("# shop/cart.py\nLIMIT = 10") == "class not quoted"
    assert where("# shop/models.py\nclass Item:\n# shop/cart.py\nLIMIT = 10") == "class as a bare line"
    assert where("# shop/models.py\nclass Item:\n    name: str\n    price: float\n") == "class with other members"
    assert where("# shop/models.py\nLIMIT = 10\nclass Item:") == "class as a bare line"  # the last line
    assert where("# this file (cart.py)\nclass Item:\n    name: str") == "class not quoted"  # another file's Item
    limit = Need("LIMIT", cart, 5, "statement")
    assert place(limit, {}, index) == "module level"
    assert set(PLACES) == {"module level", "class not quoted", "class as a bare line", "class with other members"}
