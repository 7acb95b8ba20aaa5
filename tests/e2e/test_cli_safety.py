"""`gptls run --apply` never damages a file, and bad input stops before any call: the CLI as a subprocess
against the double, as a user runs it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.double import replies
from tests.double.server import child_env
from tests.e2e.interpreter import SERVER_COMMAND
from tests.e2e.test_cli import AREA, STUB, gptls

IMPLEMENTED = STUB.replace("    ...\n", "    return math.pi * radius ** 2\n")
LATIN = (
    "# -*- coding: latin-1 -*-\n"
    "# Fonctions de géométrie, écrites à Besançon.\n"
    "import math\n"
    "\n"
    "\n"
    "def aire(rayon):\n"
    '    """Aire du disque de rayon donné."""\n'
    "    ...\n"
    "\n"
    "\n"
    "NOM = 'cercle trigonométrique'\n"
)
LATIN_AREA = 'def aire(rayon):\n    """Aire du disque de rayon donné."""\n    return math.pi * rayon ** 2  # π r²\n'


def start(*args: str, env: dict[str, str], wrapper: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*wrapper, *SERVER_COMMAND, *args],
        env=child_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# -- --apply never damages a file -----------------------------------------------------------------------


def test_a_latin_1_file_keeps_its_encoding_and_every_other_byte(double, tmp_path) -> None:
    path = tmp_path / "geometrie.py"
    path.write_bytes(LATIN.encode("latin-1"))
    double.script(replies.json_output({"code": LATIN_AREA.replace("  # π r²", "  # aire = πr²")}))
    result = gptls("run", "generate", f"{path}:6", "--apply", env=double.env())
    assert result.returncode == 1, "π has no latin-1 byte: refused, not mangled"
    assert "the result holds 'π', which iso-8859-1 (the file's encoding) cannot hold" in result.stderr
    assert path.read_bytes() == LATIN.encode("latin-1")
    double.script(replies.json_output({"code": LATIN_AREA.replace("  # π r²", "  # rayon²")}))
    result = gptls("run", "generate", f"{path}:6", "--apply", env=double.env())
    assert result.returncode == 0, result.stderr
    expected = LATIN.replace("    ...\n", "    return math.pi * rayon ** 2  # rayon²\n")
    assert path.read_bytes() == expected.encode("latin-1")
    assert "rayon donné" in double.requests[-1].body["input"], "the model read the file as it is, not as U+FFFD"


def test_a_file_not_valid_in_its_encoding_is_refused_untouched(double, tmp_path) -> None:
    path = tmp_path / "broken.py"
    content = STUB.encode() + b"NAME = '\xff\xfe'\n"
    path.write_bytes(content)
    result = gptls("run", "generate", f"{path}:4", "--apply", env=double.env())
    assert result.returncode == 2
    assert f"{path} is not valid utf-8 (byte {len(STUB) + 8} cannot be decoded)" in result.stderr
    assert path.read_bytes() == content and double.requests == []


def test_crlf_and_a_bom_are_kept(double, tmp_path) -> None:
    path = tmp_path / "geometry.py"
    path.write_bytes(b"\xef\xbb\xbf" + STUB.replace("\n", "\r\n").encode())
    double.script(replies.json_output({"code": AREA}))
    result = gptls("run", "generate", f"{path}:4", "--apply", env=double.env())
    assert result.returncode == 0, result.stderr
    assert path.read_bytes() == b"\xef\xbb\xbf" + IMPLEMENTED.replace("\n", "\r\n").encode()


def test_the_mode_is_kept_and_a_symlink_stays_a_link_to_the_updated_file(double, tmp_path) -> None:
    real = tmp_path / "src" / "geometry.py"
    real.parent.mkdir()
    real.write_text(STUB)
    real.chmod(0o755)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    double.script(replies.json_output({"code": AREA}))
    result = gptls("run", "generate", f"{link}:4", "--apply", env=double.env())
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text() == IMPLEMENTED and (real.stat().st_mode & 0o777) == 0o755
    assert sorted(p.name for p in real.parent.iterdir()) == ["geometry.py"], "no temporary file left behind"


def test_a_file_changed_on_disk_while_the_model_worked_is_not_written(double, tmp_path) -> None:
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    gate = threading.Event()
    double.script(replies.json_output({"code": AREA}).then(gate=gate))
    proc = start("run", "generate", f"{path}:4", "--apply", env=double.env())
    double.wait_for_requests(1)
    with path.open("a") as out:
        out.write("\nLATE = 'typed while the model worked'\n")
    gate.set()
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "changed on disk while the model worked on it, so the result was not written" in err
    assert path.read_text() == STUB + "\nLATE = 'typed while the model worked'\n"


@pytest.mark.parametrize(
    ("action", "broken"),
    [
        ("refactor", "def area(radius: float) -> float:\n    return math.pi * radius ** 2 +\n"),
        ("refactor", "    return (math.pi\n"),
    ],
)
def test_python_that_does_not_parse_is_never_written(double, tmp_path, action, broken) -> None:
    path = tmp_path / "geometry.py"
    text = IMPLEMENTED
    path.write_text(text)
    double.script(replies.json_output({"code": broken, "explanation": "shorter"}))
    result = gptls("run", action, f"{path}:4", "--apply", env=double.env())
    assert result.returncode == 1 and "does not parse as Python" in result.stderr
    assert path.read_text() == text


# Ctrl-C as a terminal delivers it: a test run started in the background (`cmd &` in a script) inherits SIGINT
# ignored, and a child keeps an ignored signal ignored across exec, so the command resets it first.
AS_FROM_A_TERMINAL = (
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp(sys.argv[1], sys.argv[1:])",
)


def test_ctrl_c_exits_130_with_one_line_and_the_file_untouched(double, tmp_path) -> None:
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    double.script(replies.hang())
    proc = start("run", "generate", f"{path}:4", "--apply", env=double.env(), wrapper=AS_FROM_A_TERMINAL)
    double.wait_for_requests(1)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1] == "gptls: interrupted" and "Traceback" not in err
    assert path.read_text() == STUB


# -- bad input stops before any call ------------------------------------------------------------------------


def bad_config(tmp_path: Path, content: str | None) -> Path:
    config = tmp_path / "gptls.json"
    if content is not None:
        config.write_text(content)
    return config


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read --config"),
        ("{not json", "is not valid JSON"),
        ('["model"]', "must hold a JSON object of gptls settings"),
        ('{"modle": "gpt-5"}', "unknown gptls setting 'modle'"),
        ('{"reasoningEffort": "extreme"}', "must be one of none, minimal, low, medium, high, xhigh"),
        ('{"baseUrl": "http://127.0.0.1:1/v1", "maxRetries": "three"}', "must be a whole number"),
    ],
)
@pytest.mark.parametrize("command", ["run", "check"])
def test_a_bad_config_file_is_a_usage_error_and_nothing_is_sent(double, tmp_path, content, message, command) -> None:
    config = bad_config(tmp_path, content)
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    args = ["run", "generate", f"{path}:4"] if command == "run" else ["check"]
    result = gptls(*args, "--config", str(config), env=double.env())
    assert result.returncode == 2, result.stderr
    assert message in result.stderr and "Nothing was sent" in result.stderr
    assert double.requests == [] and double.catalogue_requests == []


@pytest.mark.parametrize("url", ["ftp://example.invalid/v1", "example.invalid/v1", "http://"])
def test_an_invalid_base_url_is_a_usage_error_and_nothing_is_sent(double, tmp_path, url) -> None:
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    result = gptls("run", "generate", f"{path}:4", "--base-url", url, env=double.env())
    assert result.returncode == 2 and "--base-url: must be an http(s) URL" in result.stderr
    assert "keeping" not in result.stderr and result.stderr.rstrip().endswith("Nothing was sent.")
    assert double.requests == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("{path}:999", "line 999 is past the end of {path} (6 lines)."),
        ("{path}:0", "{path}:0: lines start at 1."),
        ("{path}:5-2", "{path}:5-2: the range is reversed; give START-END with START <= END."),
        ("{path}:2-40", "line 40 is past the end of {path} (6 lines)."),
    ],
)
def test_a_target_that_does_not_exist_says_what_is_wrong(double, tmp_path, target, message) -> None:
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    result = gptls("run", "generate", target.format(path=path), env=double.env())
    assert result.returncode == 2
    assert result.stderr.strip() == f"gptls run: {message.format(path=path)}"
    assert double.requests == []


def test_an_excluded_file_or_a_link_to_one_is_refused(double, tmp_path) -> None:
    secret = tmp_path / ".env.py"
    secret.write_text("def token():\n    ...\n")
    link = tmp_path / "innocent.py"
    link.symlink_to(secret)
    for path in (secret, link):
        result = gptls("run", "generate", f"{path}:1", env=double.env())
        assert result.returncode == 2
        assert f"{path} matches gptls.exclude ('.env*'): gptls never sends it." in result.stderr
    assert double.requests == []


def test_a_binary_file_is_refused(double, tmp_path) -> None:
    path = tmp_path / "blob.py"
    path.write_bytes(b"def f():\n    ...\n\x00\x01\x02")
    result = gptls("run", "generate", f"{path}:1", env=double.env())
    assert result.returncode == 2 and "looks binary (it holds NUL bytes)" in result.stderr
    assert double.requests == []


def test_a_missing_file_is_named(double, tmp_path) -> None:
    result = gptls("run", "explain", str(tmp_path / "nope.py"), env=double.env())
    assert result.returncode == 2 and "cannot read" in result.stderr and "No such file" in result.stderr


def test_verified_generation_without_any_test_run_never_says_passed(double, tmp_path) -> None:
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    double.script(replies.json_output({"code": AREA}))  # the model answers without calling run_tests
    result = gptls("run", "generate-verified", f"{path}:4", "--allow-exec", "--apply", env=double.env())
    assert result.returncode == 3
    assert "no tests were run" in result.stderr and "tests passed" not in result.stderr


def test_a_busy_port_is_a_message(double) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = gptls("--tcp", "--port", str(port), env=double.env())
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"gptls: cannot listen on 127.0.0.1:{port} (Address already in use): choose another --port." in result.stderr


def lsp_message(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


@pytest.mark.parametrize(("shutdown", "code"), [(False, 1), (True, 0)])
def test_exit_without_shutdown_exits_1(double, shutdown, code) -> None:
    messages = [lsp_message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}})]
    if shutdown:
        messages.append(lsp_message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
    messages.append(lsp_message({"jsonrpc": "2.0", "method": "exit"}))
    proc = subprocess.run(
        SERVER_COMMAND,
        input=b"".join(messages),
        env=child_env(double.env()),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == code, proc.stderr.decode()[-2000:]
