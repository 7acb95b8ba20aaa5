"""Edit as instructed over stdio: a `gptls:` comment in any comment syntax offers the action with the
instruction in its title, the rewrite replaces the code and removes the comment, the instruction reaches the
prompt as the user's; the command takes the instruction as an argument; `gptls run instruct` does the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as lsp

from tests.double import replies
from tests.e2e.test_cli import gptls

CASES = {
    "python": (
        "fetch.py",
        "import asyncio\n\n# gptls: make this async\ndef fetch(url):\n    return get(url)\n",
        "async def fetch(url):\n    return await get(url)",
        "import asyncio\n\nasync def fetch(url):\n    return await get(url)\n",
    ),
    "javascript": (
        "sum.js",
        "function sum(xs) {\n  // gptls: handle the empty list\n  return xs.reduce((a, b) => a + b);\n}\n",
        "function sum(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n}",
        "function sum(xs) {\n  return xs.reduce((a, b) => a + b, 0);\n}\n",
    ),
    "go": (
        "max.go",
        "package m\n\n/* gptls: return an error for an empty slice */\nfunc Max(xs []int) int {\n\treturn xs[0]\n}\n",
        "func Max(xs []int) (int, error) {\n\tif len(xs) == 0 {\n\t\treturn 0, errEmpty\n\t}\n\treturn xs[0], nil\n}",
        "package m\n\nfunc Max(xs []int) (int, error) {\n\tif len(xs) == 0 {\n\t\treturn 0, errEmpty\n\t}\n"
        "\treturn xs[0], nil\n}\n",
    ),
    "rust": (
        "first.rs",
        "/// gptls: return None instead of panicking\nfn first(v: &[i32]) -> i32 {\n    v[0]\n}\n",
        "fn first(v: &[i32]) -> Option<i32> {\n    v.first().copied()\n}",
        "fn first(v: &[i32]) -> Option<i32> {\n    v.first().copied()\n}\n",
    ),
}


@pytest.mark.parametrize("language", sorted(CASES))
async def test_an_instruction_comment_offers_the_edit_and_the_edit_removes_it(editor, language) -> None:
    name, text, code, expected = CASES[language]
    uri = editor.open(name, text, language)
    instruction = text.split("gptls: ", 1)[1].split("\n")[0].removesuffix(" */")
    cursor = editor.cursor(uri, "return" if "return" in text else "v[0]")
    action = await editor.action(uri, cursor, "instruct")
    assert action.title == f"gptls: Edit as instructed: {instruction}"
    # The model keeps the comment by mistake: it goes anyway (the instruction is done).
    kept = next(line for line in text.split("\n") if "gptls:" in line)
    editor.double.script(replies.json_output({"code": kept.strip() + "\n" + code, "explanation": "done"}))
    await editor.run(uri, cursor, "instruct")
    assert editor.buffers[uri] == expected
    prompt = editor.double.requests[-1].body["input"]
    assert f"The user's instruction (theirs, not the file's): {instruction}" in prompt


async def test_no_instruction_comment_no_offer(editor) -> None:
    uri = editor.open("plain.py", "# compute the area\ndef area(w, h):\n    return w * h\n")
    offered = await editor.actions(uri, editor.cursor(uri, "return"))
    assert all(a.data.get("action") != "instruct" for a in offered if a.data)


async def test_the_command_takes_the_instruction_as_an_argument(editor) -> None:
    uri = editor.open("area.py", "def area(w, h):\n    return w * h\n")
    editor.double.script(
        replies.json_output({"code": "def area(w: float, h: float) -> float:\n    return w * h", "explanation": "x"})
    )
    data = {
        "action": "instruct",
        "uri": uri,
        "range": {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 4}},
        "version": 1,
        "instruction": "add type hints",
    }
    result = await editor.execute(lsp.Command(title="instruct", command="gptls.runAction", arguments=[data]))
    assert result["applied"] is True
    assert editor.buffers[uri] == "def area(w: float, h: float) -> float:\n    return w * h\n"
    assert "add type hints" in editor.double.requests[-1].body["input"]


def test_gptls_run_instruct_applies_the_instruction(double, tmp_path: Path) -> None:
    source = tmp_path / "area.py"
    source.write_text("def area(w, h):\n    return w * h\n")
    double.script(replies.json_output({"code": "def area(w, h):\n    return abs(w * h)", "explanation": "x"}))
    result = gptls("run", "instruct", f"{source}:2", "never negative", "--apply", env=double.env())
    assert result.returncode == 0, result.stderr
    assert source.read_text() == "def area(w, h):\n    return abs(w * h)\n"
    assert "never negative" in double.requests[-1].body["input"]
    refused = gptls("run", "refactor", f"{source}:2", "never negative", env=double.env())
    assert refused.returncode == 2 and "takes no instruction" in refused.stderr
