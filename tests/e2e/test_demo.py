"""`gptls demo` / `--demo`: a user with no key sees every action work in the editor, each answer marked as
canned, and nothing is sent anywhere, not even to an endpoint and key the environment names."""

from __future__ import annotations

import subprocess

from tests.e2e.interpreter import SERVER_COMMAND

MARK = "gptls demo: a canned answer, no model was asked"
CODE = '''import math


def area(radius: float) -> float:
    """Area of a circle."""
    ...


def total(items):
    # gptls: use sum()
    result = 0
    for item in items:
        result += item
    return result
'''


async def test_demo_answers_every_action_marked_as_canned_and_sends_nothing(make_editor, tmp_path) -> None:
    # The environment names a real-looking key and an endpoint (the double): the demo must use neither.
    editor = await make_editor(
        server_args=["--demo"], env={"OPENAI_API_KEY": "sk-user-secret-key-0123456789"}, root=str(tmp_path)
    )
    await editor.until(lambda: any("gptls demo: every answer is canned" in m for m in editor.messages()))
    uri = editor.open_uri((tmp_path / "shapes.py").as_uri(), CODE)

    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    assert f"    # {MARK}\n    raise NotImplementedError" in editor.buffers[uri]
    await editor.run(uri, editor.cursor(uri, "result = 0"), "docstring")
    assert '"""A canned docstring (gptls demo' in editor.buffers[uri]
    await editor.run(uri, editor.cursor(uri, "result = 0"), "instruct")
    assert f"# {MARK}\ndef total" in editor.buffers[uri] and "gptls: use sum()" not in editor.buffers[uri]
    await editor.run(uri, editor.cursor(uri, "result = 0"), "refactor")
    assert editor.buffers[uri].count(f"# {MARK}\n") == 3
    await editor.run(uri, editor.cursor(uri, "result = 0"), "explain")
    assert any("O(n) (canned)" in m and MARK in m for m in editor.messages())
    await editor.run(uri, editor.cursor(uri, "result = 0"), "write-tests")
    written = tmp_path / "test_shapes.py"  # a flat project: beside the module, where plain pytest imports it
    assert MARK in editor.buffers[written.as_uri()], sorted(editor.buffers)
    items = await editor.inline(uri, editor.pos(uri, "return result", after=True), invoked=True)
    assert items and MARK in str(items[0].insert_text)

    assert editor.statuses and editor.statuses[-1].demo is True
    assert not editor.double.requests, "the demo sent nothing to the endpoint in the environment"


def test_gptls_demo_run_needs_no_key_and_says_its_answers_are_canned(tmp_path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    path = tmp_path / "shapes.py"
    path.write_text(CODE)
    result = subprocess.run(
        [*SERVER_COMMAND, "--demo", "run", "explain", f"{path}:10"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TMPDIR": str(temp)},  # no key anywhere
    )
    assert result.returncode == 0, result.stderr
    assert "every answer is canned" in result.stderr
    assert "O(n) (canned)" in result.stdout and MARK in result.stdout
    assert not (tmp_path / ".local" / "state" / "gptls").exists(), "the demo keeps nothing in the user's state"
    assert not list(temp.iterdir()), "nor in the temporary directory: a demo run a day would fill /tmp"


async def test_gptls_demo_is_a_command_an_editor_can_start(make_editor, tmp_path) -> None:
    editor = await make_editor(server_args=["demo"], root=str(tmp_path))
    uri = editor.open_uri((tmp_path / "shapes.py").as_uri(), CODE)
    await editor.run(uri, editor.cursor(uri, "..."), "generate")
    assert MARK in editor.buffers[uri]
    assert editor.statuses[-1].demo is True


async def test_the_vscode_extension_shows_the_demo_notice_itself_so_it_can_withdraw_it(make_editor, tmp_path) -> None:
    # A window/showMessage cannot be closed by the editor; a client that declares experimental.gptls.notices
    # shows the demo (and no-key) notices from gptls/status and closes them when the status says so.
    from pytest_lsp import client_capabilities

    caps = client_capabilities("visual-studio-code")
    caps.experimental = {"gptls": {"notices": True}}
    editor = await make_editor(server_args=["demo"], root=str(tmp_path), capabilities=caps)
    await editor.until(lambda: bool(editor.statuses), "gptls/status")
    assert editor.statuses[-1].demo is True
    uri = editor.open_uri((tmp_path / "shapes.py").as_uri(), CODE)
    await editor.run(uri, editor.cursor(uri, "..."), "generate")  # the server is well past its start
    assert not any("every answer is canned" in m for m in editor.messages()), editor.messages()


async def test_a_server_with_a_key_says_at_start_that_nothing_is_wrong(make_editor, tmp_path) -> None:
    # The status a restarted server sends at once is what withdraws a "no API key" notice shown before.
    editor = await make_editor(root=str(tmp_path))
    await editor.until(lambda: bool(editor.statuses), "gptls/status")
    assert editor.statuses[0].lastError is None and editor.statuses[0].demo is False
