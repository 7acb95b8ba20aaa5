"""`gptls` in a terminal, over a pseudo-terminal as a person sees it: `gptls run` shows one line of progress on
stderr while the model works and erases it, colours its diff (plain when piped, or with NO_COLOR), and the
stdio server started by hand says what it is and quits on Ctrl-C; with no key, the message names --demo."""

from __future__ import annotations

import os
import pty
import signal
import subprocess
from pathlib import Path

from tests.double import replies
from tests.double.server import child_env
from tests.e2e.interpreter import SERVER_COMMAND
from tests.e2e.test_cli import AREA, STUB, gptls


def on_a_terminal(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run ``gptls ARGS`` with stdin, stdout and stderr on a pseudo-terminal; its exit status and everything
    it wrote there."""
    master, slave = pty.openpty()
    process = subprocess.Popen([*SERVER_COMMAND, *args], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd)
    os.close(slave)
    written = _read_all(master)
    return process.wait(60), written


def _read_all(master: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the other side closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return b"".join(chunks).decode("utf-8", "replace")


def test_run_shows_progress_while_the_model_works_and_a_coloured_diff(double, tmp_path) -> None:
    source = tmp_path / "geometry.py"
    source.write_text(STUB)
    # A slow answer: the progress line is drawn (four times a second) while it comes.
    double.script(replies.json_output({"code": AREA}).then(delay=1.5))
    status, shown = on_a_terminal(["run", "generate", f"{source}:6"], child_env(double.env()), tmp_path)
    assert status == 0, shown
    assert "gptls run generate · gpt-5-mini · " in shown and "asking the model" in shown
    # Erased once the answer came: the diff starts on a clean line.
    progress_end = shown.rindex("\r\x1b[K")
    assert "gptls run generate" not in shown[progress_end:]
    assert "\x1b[32m+    return math.pi * radius ** 2\x1b[0m" in shown
    assert "\x1b[31m-    ...\x1b[0m" in shown


def test_run_is_plain_when_piped_or_with_no_color(double, tmp_path) -> None:
    source = tmp_path / "geometry.py"
    source.write_text(STUB)
    double.script(replies.json_output({"code": AREA}), replies.json_output({"code": AREA}))
    piped = gptls("run", "generate", f"{source}:6", env=double.env())
    assert piped.returncode == 0 and "\x1b" not in piped.stdout + piped.stderr
    assert "+    return math.pi * radius ** 2\n" in piped.stdout
    status, shown = on_a_terminal(["run", "generate", f"{source}:6"], child_env(double.env(), NO_COLOR="1"), tmp_path)
    assert status == 0 and "\x1b[32m" not in shown and "+    return math.pi" in shown


def test_the_stdio_server_started_by_hand_says_what_it_is_and_ctrl_c_quits(tmp_path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    for command in (["demo"], []):
        master, slave = pty.openpty()
        env = child_env({}, TMPDIR=str(temp))
        process = subprocess.Popen(
            [*SERVER_COMMAND, *command], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=tmp_path
        )
        os.close(slave)
        said = b""
        while b"Ctrl-C quits" not in said:
            said += os.read(master, 4096)
        assert b"language server" in said and b"gptls --demo run generate examples/shapes.py:6" in said
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends; nothing typed after it
        assert process.wait(30) == 130
        os.close(master)
        assert not list(temp.iterdir()), "the demo's state folder is gone after Ctrl-C too"


def test_demo_is_accepted_after_run_and_no_key_names_it(double, tmp_path) -> None:
    source = tmp_path / "geometry.py"
    source.write_text(STUB)
    keyless = {**double.env(), "OPENAI_API_KEY": ""}
    refused = gptls("run", "generate", f"{source}:6", env=keyless)
    assert refused.returncode == 2 and "gptls --demo run generate" in refused.stderr
    assert "WARNING" not in refused.stderr and "failed after" not in refused.stderr, "no request was sent"
    assert double.requests == []
    demo = gptls("run", "--demo", "generate", f"{source}:6", env=keyless)
    assert demo.returncode == 0 and "gptls demo: a canned answer" in demo.stdout
    assert double.requests == []


def test_the_readme_examples_run_in_the_demo() -> None:
    repo = Path(__file__).resolve().parents[2]
    for target, action in (("shapes.py:6", "generate"), ("shapes.py:12", "instruct"), ("stats.js:3", "generate")):
        result = gptls("--demo", "run", action, f"examples/{target}", cwd=repo)
        assert result.returncode == 0, result.stderr
        assert f"+++ b/examples/{target.split(':')[0]}" in result.stdout and "gptls demo" in result.stdout
    explained = gptls("--demo", "run", "explain", "examples/shapes.py:16", cwd=repo)
    assert explained.returncode == 0 and "Complexity of pairs_summing_to" in explained.stdout
