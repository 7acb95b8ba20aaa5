"""The model sees the project: definitions from other files reach the request, over stdio, in a real workspace
on disk; open buffers win over the disk; excluded and ignored files never appear; the index follows files
that are deleted; a workspace too big for the caps is cut short without stalling requests."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from lsprotocol import types as lsp

from tests.double import replies
from tests.e2e.test_cli import gptls

MODELS = '''"""The shop's data."""
from dataclasses import dataclass

TAX_RATE = 0.2


@dataclass
class Item:
    """One thing in a cart."""

    name: str
    unit_price: float

    def line_total(self, quantity: int) -> float:
        """Price times quantity."""
        return self.unit_price * quantity


class Cart:
    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.items: list[Item] = []
'''
PRICING = '''from shop import Cart
from .models import TAX_RATE


def subtotal(cart: Cart) -> float:
    """Sum of the items' prices, before tax."""
    ...
'''
SECRET = 'API_TOKEN = "tok-CANARY-never-sent"\n\n\ndef unit_price_from_vault() -> float:\n    return 1.0\n'


def project(root: Path) -> Path:
    shop = root / "src" / "shop"
    shop.mkdir(parents=True)
    (root / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (shop / "__init__.py").write_text("from .models import Cart, Item\n")
    (shop / "models.py").write_text(MODELS)
    (shop / "pricing.py").write_text(PRICING)
    (shop / "secrets.py").write_text(SECRET)  # the default exclude: secrets.*
    (root / ".gitignore").write_text("generated/\n*_gen.py\n")
    (root / "generated").mkdir()
    (root / "generated" / "unit_price_table.py").write_text("UNIT_PRICE_TABLE_IGNORED = {}\n")
    (shop / "prices_gen.py").write_text("def unit_price_generated_ignored() -> float:\n    return 0.0\n")
    return shop / "pricing.py"


async def indexed(editor) -> None:
    await editor.until(
        lambda: any("indexed " in m.message for m in editor.client.log_messages), lsp.WINDOW_LOG_MESSAGE, limit=60
    )


async def generate_prompt(editor, uri: str) -> str:
    editor.double.script(replies.json_output({"code": "return sum(i.unit_price for i in cart.items)"}))
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    return str(editor.double.requests[-1].body["input"])


async def test_a_definition_from_an_unopened_file_reaches_the_request(make_editor, tmp_path) -> None:
    pricing = project(tmp_path)
    editor = await make_editor(root=str(tmp_path))
    await indexed(editor)
    uri = editor.open_uri(pricing.as_uri(), PRICING)
    prompt = await generate_prompt(editor, uri)
    context = prompt.split("Language:")[0]
    assert "# src/shop/models.py" in context
    assert "class Cart:" in context and "self.items: list[Item]" in context, "the annotation's type, with members"
    assert "class Item:" in context and "unit_price: float" in context, "the member's type, one level on"
    assert "TAX_RATE = 0.2" in context
    # Never an excluded or ignored file, even where its names match the target's words.
    for never in ("CANARY", "unit_price_from_vault", "UNIT_PRICE_TABLE_IGNORED", "unit_price_generated_ignored"):
        assert never not in prompt, never
    # Show Last Request names the file it quoted, and holds what was sent.
    shown = await editor.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command="gptls.lastRequest", arguments=[])
    )
    assert shown["files"] == [str(pricing.parent / "models.py")] and shown["input"] == prompt
    assert "CANARY" not in shown["text"]


async def test_an_unsaved_edit_wins_over_the_disk(make_editor, tmp_path) -> None:
    pricing = project(tmp_path)
    editor = await make_editor(root=str(tmp_path))
    await indexed(editor)
    models = pricing.parent / "models.py"
    editor.open_uri(models.as_uri(), MODELS.replace("unit_price: float", "price_in_cents: int"))
    uri = editor.open_uri(pricing.as_uri(), PRICING)
    prompt = await generate_prompt(editor, uri)
    assert "price_in_cents: int" in prompt and "unit_price: float" not in prompt


async def test_a_deleted_file_leaves_the_index(make_editor, tmp_path) -> None:
    pricing = project(tmp_path)
    editor = await make_editor(root=str(tmp_path))
    await indexed(editor)
    models = pricing.parent / "models.py"
    models.rename(pricing.parent / "catalogue.py")
    editor.client.workspace_did_change_watched_files(
        lsp.DidChangeWatchedFilesParams(
            changes=[
                lsp.FileEvent(uri=models.as_uri(), type=lsp.FileChangeType.Deleted),
                lsp.FileEvent(uri=(pricing.parent / "catalogue.py").as_uri(), type=lsp.FileChangeType.Created),
            ]
        )
    )
    uri = editor.open_uri(pricing.as_uri(), PRICING)
    await editor.synced(uri)
    prompt = await generate_prompt(editor, uri)
    assert "# src/shop/models.py" not in prompt
    assert "# src/shop/catalogue.py" in prompt, "the words the target shares still find the renamed file"


async def test_an_enormous_workspace_hits_the_cap_and_requests_go_on(make_editor, tmp_path) -> None:
    pricing = project(tmp_path)
    bulk = tmp_path / "src" / "bulk"
    bulk.mkdir()
    for i in range(3000):
        (bulk / f"module_{i:04}.py").write_text(f"def helper_{i}(x: int) -> int:\n    return x + {i}\n")
    editor = await make_editor(root=str(tmp_path), init_options={"indexMaxFiles": 1000})
    uri = editor.open_uri(pricing.as_uri(), PRICING)
    # Requests are answered while the index is being built.
    for _ in range(20):
        assert await editor.actions(uri, editor.cursor(uri, "...")), "a code action request went unanswered"
    await indexed(editor)
    said = [m.message for m in editor.client.log_messages if "indexed " in m.message]
    assert any("indexed 1000 files" in m and "over indexMaxFiles (1,000)" in m for m in said), said
    await editor.until(lambda: editor.statuses and editor.statuses[-1].indexed.built, "gptls/status")
    assert editor.statuses[-1].indexed.files == 1000 and "nearest the open files" in editor.statuses[-1].indexed.note
    # The 1,000 kept are the nearest the open file, not the first of a sorted walk (which held none of them).
    prompt = await generate_prompt(editor, uri)
    assert "class Cart:" in prompt and "# src/shop/models.py" in prompt


async def test_a_hostile_tree_costs_its_odd_entries_never_the_index(make_editor, tmp_path) -> None:
    # A repository written to break the index: a link that loops, a directory link back up, a file nested deep
    # enough for a RecursionError, a file name that is not UTF-8, a 30 MB .gitignore.
    import os

    pricing = project(tmp_path)
    shop = pricing.parent
    os.symlink("loop.py", shop / "loop.py")  # ELOOP when the walk asks whether it is a file
    os.symlink("..", shop / "up")
    (shop / "deep.py").write_text("class E(" + "-" * 200_000 + "x):\n    pass\n")
    fd = os.open(os.path.join(os.fsencode(shop), b"caf\xe9_prices.py"), os.O_CREAT | os.O_WRONLY)
    os.write(fd, b"def cafe_price() -> float:\n    return 2.0\n")
    os.close(fd)
    (shop / "other").mkdir()
    (shop / "other" / ".gitignore").write_text("".join(f"ignored_{i:08}.py\n" for i in range(1_500_000)))  # 30 MB
    editor = await make_editor(root=str(tmp_path))
    uri = editor.open_uri(pricing.as_uri(), PRICING)
    await indexed(editor)
    prompt = await generate_prompt(editor, uri)
    assert "class Cart:" in prompt and "# src/shop/models.py" in prompt, "the index was built"
    json.dumps(editor.double.requests[-1].body, ensure_ascii=False).encode("utf-8")  # no lone surrogate
    assert "caf" not in prompt, "a name a prompt cannot carry is left out"
    logged = " ".join(m.message for m in editor.client.log_messages)
    assert "left a file out of the index" in logged and "deep.py" in logged
    assert ".gitignore is over" in logged


async def test_a_file_the_parser_cannot_read_still_gets_its_actions(make_editor, tmp_path) -> None:
    # A hostile file opened in the editor: 200,000 nested unary minuses make ast.parse raise MemoryError.
    pricing = project(tmp_path)
    hostile = PRICING + "\n\nclass E(" + "-" * 200_000 + "x):\n    pass\n"
    editor = await make_editor(root=str(tmp_path))
    uri = editor.open_uri(pricing.as_uri(), hostile)
    prompt = await generate_prompt(editor, uri)
    assert "def subtotal(cart: Cart) -> float:" in prompt  # the file is left out of the index, not the action
    await editor.until(lambda: "return sum(i.unit_price for i in cart.items)" in editor.buffers[uri], "the edit")
    assert not any("internal" in m.lower() for m in editor.messages())


async def test_the_first_action_quotes_the_files_its_target_imports_before_the_index_is_built(
    make_editor, tmp_path
) -> None:
    pricing = project(tmp_path)
    bulk = tmp_path / "src" / "aaa_bulk"  # walked and parsed before shop/: the crawl is far from models.py
    bulk.mkdir()
    for i in range(4000):
        (bulk / f"module_{i:04}.py").write_text(f"def helper_{i}(x: int) -> int:\n    return x + {i}\n")
    editor = await make_editor(root=str(tmp_path))
    uri = editor.open_uri(pricing.as_uri(), PRICING)
    prompt = await generate_prompt(editor, uri)
    assert not any("indexed " in m.message for m in editor.client.log_messages), "the index was not built yet"
    assert "class Cart:" in prompt and "# src/shop/models.py" in prompt and "TAX_RATE" in prompt


async def test_a_function_begun_with_no_body_in_a_new_file_gets_its_body_and_the_project_context(
    make_editor, tmp_path
) -> None:
    # The way a function is begun: a file not saved yet, a signature, nothing under it (not valid Python),
    # and the buffer ending right after the colon, as VS Code leaves it.
    pricing = project(tmp_path)
    editor = await make_editor(root=str(tmp_path))
    await indexed(editor)
    begun = "from .models import Cart, TAX_RATE\n\n\ndef total(cart: Cart) -> float:"
    uri = editor.open_uri((pricing.parent / "checkout.py").as_uri(), begun)
    editor.double.script(replies.json_output({"code": "return sum(i.unit_price for i in cart.items)"}))
    await editor.run(uri, editor.cursor(uri, "def total"), "generate")
    context = str(editor.double.requests[-1].body["input"]).split("Language:")[0]
    assert "class Cart:" in context and "# src/shop/models.py" in context and "TAX_RATE = 0.2" in context
    assert editor.buffers[uri] == begun + "\n    return sum(i.unit_price for i in cart.items)"
    assert not editor.messages()


def test_gptls_run_quotes_the_project_and_shows_the_prompt(double, tmp_path) -> None:
    pricing = project(tmp_path)
    double.script(replies.json_output({"code": "return sum(i.unit_price for i in cart.items)"}))
    result = gptls("run", "generate", f"{pricing}:7", "--show-prompt", env=double.env())
    assert result.returncode == 0, result.stderr
    prompt = double.requests[0].body["input"]
    assert "class Cart:" in prompt and "# src/shop/models.py" in prompt
    assert "Files quoted besides the target's:" in result.stderr and str(pricing.parent / "models.py") in result.stderr
    assert json.dumps(prompt)[1:40] in json.dumps(result.stderr), "the shown prompt is the one sent"


async def test_shutting_down_during_indexing_leaves_no_worker(double, tmp_path) -> None:
    from tests.e2e.editor import start_editor
    from tests.e2e.test_sandbox_attacks import leftover_processes

    project(tmp_path)
    bulk = tmp_path / "src" / "bulk"
    bulk.mkdir()
    for i in range(3000):
        (bulk / f"module_{i:04}.py").write_text(f"def helper_{i}(x: int) -> int:\n    return x + {i}\n")
    editor = await start_editor(double, root=str(tmp_path))
    server = editor.client._server
    assert server is not None
    await editor.client.shutdown_session()  # shutdown, then exit: while the index is still being built
    assert await asyncio.wait_for(server.wait(), 20) == 0
    await editor.client.stop()
    assert leftover_processes("gptls.index.worker") == []


async def test_a_link_to_an_excluded_file_is_neither_indexed_nor_quoted(make_editor, tmp_path) -> None:
    # A repository links an innocent name to a secret; the target's names match the stub's words.
    pricing = project(tmp_path)
    (pricing.parent / "vault.py").symlink_to(pricing.parent / "secrets.py")
    (pricing.parent / "pricing_helpers.py").write_text("from .vault import unit_price_from_vault\n")
    editor = await make_editor(root=str(tmp_path))
    await indexed(editor)
    uri = editor.open_uri(
        pricing.as_uri(), PRICING.replace("from .models import", "from .vault import API_TOKEN\nfrom .models import")
    )
    prompt = await generate_prompt(editor, uri)
    assert "class Cart:" in prompt, "the project context is there (else this test proves nothing)"
    for never in ("CANARY", "unit_price_from_vault", "API_TOKEN ="):
        assert never not in prompt, never
