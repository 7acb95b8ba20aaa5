"""The gptls command line: --version, check, run and the TCP server, as a user runs them."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

import pytest

from gptls import __version__
from tests.double import replies
from tests.double.server import child_env
from tests.e2e.interpreter import SERVER_COMMAND

AREA = 'def area(radius: float) -> float:\n    """Area of a circle."""\n    return math.pi * radius ** 2\n'
STUB = 'import math\n\n\ndef area(radius: float) -> float:\n    """Area of a circle."""\n    ...\n'


def gptls(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = child_env(env or {})
    return subprocess.run(
        [*SERVER_COMMAND, *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_version_names_gptls_pygls_and_python() -> None:
    # Asked of the interpreter the server runs on (the .ci/run matrix runs it on each supported Python).
    probe = (
        "import platform; from importlib.metadata import version; print(version('pygls'), platform.python_version())"
    )
    pygls, python = subprocess.run(
        [SERVER_COMMAND[0], "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    result = gptls("--version")
    expected = f"gptls {__version__} (pygls {pygls}, Python {python})"
    assert result.returncode == 0 and result.stdout.strip() == expected


def test_stdio_flag_that_editors_pass_is_accepted() -> None:
    # vscode-languageclient and others start servers as `CMD --stdio`; stdin at EOF ends the server.
    result = subprocess.run(
        [*SERVER_COMMAND, "--stdio"], input="", capture_output=True, text=True, timeout=60, check=False
    )
    assert "unrecognized arguments" not in result.stderr


def test_check_reports_model_latency_tokens_and_headroom(double) -> None:
    result = gptls("check", env=double.env())
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "gptls check: OK" in out and "gpt-5-mini" in out and "request id    req_" in out
    assert "latency" in out and "tokens        input" in out and "remaining-requests=4999" in out
    body = double.requests[0].body
    assert body["max_output_tokens"] == 8000 and "stream" not in body, "the user's own cap, not a hard-coded one"
    assert "model         gpt-5-mini: no shutdown announced" in out


def test_check_incomplete_answer_advises_the_right_settings(double) -> None:
    double.script(replies.incomplete("max_output_tokens"))
    result = gptls("check", "--reasoning-effort", "high", env=double.env())
    assert result.returncode == 1
    assert "cut off at maxOutputTokens (8000)" in result.stderr
    assert "Raise gptls.maxOutputTokens or lower gptls.reasoningEffort" in result.stderr


@pytest.mark.parametrize(
    ("reply", "advice"),
    [
        (replies.invalid_api_key(), "OPENAI_API_KEY"),
        (replies.permission_denied(), "403"),
        (replies.error(404, "Invalid URL (POST /v1/responses)"), "OPENAI_BASE_URL"),
        (replies.error(400, "Invalid value: 'gpt-5-mini'.", param="model"), "parameter model"),
        (replies.insufficient_quota(), "billing"),
    ],
)
def test_check_fails_with_the_actionable_message(double, reply, advice) -> None:
    double.script(reply)
    result = gptls("check", env=double.env())
    assert result.returncode == 1 and advice in result.stderr
    assert double.api_key not in result.stderr + result.stdout


def test_check_rate_limited_until_the_retries_run_out(double) -> None:
    double.script(*[replies.rate_limited(retry_after_ms=5)] * 4)
    result = gptls("check", env=double.env())
    assert result.returncode == 1 and "Rate limited" in result.stderr
    assert len(double.requests) == 4


def test_check_without_a_key_names_the_variable(double) -> None:
    result = gptls("check", env={"OPENAI_BASE_URL": double.base_url})
    assert result.returncode == 1 and "OPENAI_API_KEY" in result.stderr and double.requests == []


def test_run_prints_a_unified_diff(double, tmp_path) -> None:
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    double.script(replies.json_output({"code": AREA}))
    result = gptls("run", "generate", f"{path}:4", env=double.env())
    assert result.returncode == 0, result.stderr
    assert "-    ...\n+    return math.pi * radius ** 2\n" in result.stdout
    assert path.read_text() == STUB, "without --apply the file is untouched"


def test_run_apply_writes_the_file(double, tmp_path) -> None:
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    double.script(replies.json_output({"code": AREA}))
    result = gptls("run", "generate", f"{path}:4", "--apply", env=double.env())
    assert result.returncode == 0, result.stderr
    assert path.read_text() == STUB.replace("    ...\n", "    return math.pi * radius ** 2\n")


def test_run_explain_prints_text_and_honours_a_config_file(double, tmp_path) -> None:
    path = tmp_path / "loop.js"
    path.write_text("function total(xs) {\n  let s = 0;\n  for (const x of xs) s += x;\n  return s;\n}\n")
    config = tmp_path / "gptls.json"
    config.write_text(json.dumps({"gptls": {"reasoningEffort": "minimal"}}))
    double.script(replies.json_output({"time": "O(n)", "space": "O(1)", "explanation": "One loop."}))
    result = gptls("run", "explain", f"{path}:2-4", "--config", str(config), env=double.env())
    assert result.returncode == 0, result.stderr
    # Plain terminal text, not Markdown.
    assert result.stdout == "Complexity of the selection: time O(n), space O(1). One loop.\n"
    body = double.requests[0].body
    assert body["reasoning"]["effort"] == "minimal" and "Language: javascript" in body["input"]


def test_run_where_the_action_does_not_apply(double, tmp_path) -> None:
    path = tmp_path / "a.py"
    path.write_text("x = 1\n")
    result = gptls("run", "generate", f"{path}:1", env=double.env())
    assert result.returncode == 2 and "does not apply" in result.stderr and double.requests == []


def test_run_errors_leave_the_file_alone(double, tmp_path) -> None:
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    double.script(replies.context_too_long())
    result = gptls("run", "generate", f"{path}:4", "--apply", env=double.env())
    assert result.returncode == 1 and "select less code" in result.stderr
    assert path.read_text() == STUB


def test_tcp_mode_speaks_lsp(double) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = child_env(double.env())
    proc = subprocess.Popen([*SERVER_COMMAND, "--tcp", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # the server says when it listens
            if "Serving on" in line:
                break
        with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
            body = json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                }
            ).encode()
            conn.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            data = b""
            while b'"serverInfo"' not in data:
                chunk = conn.recv(65536)
                assert chunk, "connection closed before the initialize reply"
                data += chunk
        assert b'"name": "gptls"' in data or b'"name":"gptls"' in data
    finally:
        proc.kill()
        proc.wait(10)


def test_run_verified_needs_allow_exec_then_tests_the_code(double, tmp_path) -> None:
    path = tmp_path / "geometry.py"
    path.write_text(STUB)
    refused = gptls("run", "generate-verified", f"{path}:4", env=double.env())
    assert refused.returncode == 2 and "--allow-exec" in refused.stderr and double.requests == []
    double.script(
        replies.function_call("run_tests", {"code": AREA, "tests": "assert round(area(1.0), 2) == 3.14\n"}),
        replies.json_output({"code": AREA}),
    )
    result = gptls("run", "generate-verified", f"{path}:4", "--allow-exec", "--apply", env=double.env())
    assert result.returncode == 0, result.stderr
    assert "tests passed" in result.stderr
    assert path.read_text() == STUB.replace("    ...\n", "    return math.pi * radius ** 2\n")


def test_run_write_tests_uses_the_editors_placement_and_applies(double, tmp_path) -> None:
    project = tmp_path / "project"
    (project / "src" / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'pkg'\n")
    source = project / "src" / "pkg" / "geometry.py"
    source.write_text(AREA.replace("math.pi", "3.14159"))
    first = "from pkg.geometry import area\n\n\ndef test_unit_circle():\n    assert area(1) > 3\n"
    double.script(replies.json_output({"code": first}))
    result = gptls("run", "write-tests", f"{source}:1", "--apply", env=double.env())
    assert result.returncode == 0, result.stderr
    test_file = project / "tests" / "test_geometry.py"
    assert test_file.read_text() == first and f"created {test_file}" in result.stderr
    prompt = double.requests[0].body["input"]
    assert "Test file: tests/test_geometry.py. It does not exist yet" in prompt
    assert "from the module `pkg.geometry`" in prompt
    second = "def test_zero():\n    assert area(0) == 0\n"
    double.script(replies.json_output({"code": second}))
    result = gptls("run", "write-tests", f"{source}:1", "--apply", env=double.env())
    assert result.returncode == 0, result.stderr
    assert test_file.read_text() == first + "\n\n" + second
    assert "def test_unit_circle" in double.requests[1].body["input"], "the existing tests set the style"


BROKEN = "def total(items):\n    result = 0\n    for item in items:\n        result += itme\n    return result\n"
FIXED = "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result"


def test_run_fix_takes_the_problem_from_the_command_line(double, tmp_path) -> None:
    path = tmp_path / "loop.py"
    path.write_text(BROKEN)
    double.script(replies.json_output({"code": FIXED, "explanation": "typo"}))
    result = gptls("run", "fix", f"{path}:4", "--diagnostic", "undefined name 'itme'", "--apply", env=double.env())
    assert result.returncode == 0, result.stderr
    assert path.read_text() == FIXED + "\n"
    assert "undefined name 'itme'" in double.requests[0].body["input"]
    missing = gptls("run", "fix", f"{path}:4", env=double.env())
    assert missing.returncode == 2 and "--diagnostic MESSAGE" in missing.stderr and len(double.requests) == 1


@pytest.mark.parametrize("form", ["ruff", "lsp", "sarif"])
def test_run_fix_reads_a_linters_json_output(double, tmp_path, form) -> None:
    path = tmp_path / "loop.py"
    path.write_text(BROKEN)
    elsewhere = {"message": "line too long (99 > 88)", "line": 1}
    wanted = {"message": "F821 Undefined name `itme`", "line": 4}
    if form == "ruff":  # ruff check --output-format=json
        data = [
            {
                "code": "F821",
                "message": d["message"],
                "filename": str(path),
                "location": {"row": d["line"], "column": 5},
            }
            for d in (elsewhere, wanted)
        ] + [{"code": "F821", "message": "other file", "filename": "/x/other.py", "location": {"row": 4, "column": 1}}]
    elif form == "lsp":
        data = {
            "uri": path.as_uri(),
            "diagnostics": [
                {
                    "range": {
                        "start": {"line": d["line"] - 1, "character": 0},
                        "end": {"line": d["line"] - 1, "character": 1},
                    },
                    "message": d["message"],
                    "source": "pyflakes",
                }
                for d in (elsewhere, wanted)
            ],
        }
    else:
        data = {
            "runs": [
                {
                    "tool": {"driver": {"name": "ruff"}},
                    "results": [
                        {
                            "ruleId": "F821",
                            "message": {"text": d["message"]},
                            "locations": [
                                {
                                    "physicalLocation": {
                                        "artifactLocation": {"uri": path.as_uri()},
                                        "region": {"startLine": d["line"]},
                                    }
                                }
                            ],
                        }
                        for d in (elsewhere, wanted)
                    ],
                }
            ]
        }
    report = tmp_path / "report.json"
    report.write_text(json.dumps(data))
    double.script(replies.json_output({"code": FIXED, "explanation": "typo"}))
    result = gptls("run", "fix", f"{path}:4", "--diagnostics", str(report), env=double.env())
    assert result.returncode == 0, result.stderr
    prompt = double.requests[0].body["input"]
    assert "Undefined name `itme`" in prompt and "line too long" not in prompt and "other file" not in prompt


def test_run_settings_defined_action_by_title_and_a_mistyped_action(double, tmp_path) -> None:
    path = tmp_path / "loop.py"
    path.write_text(FIXED + "\n")
    config = tmp_path / "gptls.json"
    config.write_text(json.dumps({"actions": [{"title": "Add type hints", "instructions": "Add type hints."}]}))
    double.script(replies.json_output({"code": FIXED.replace("(items)", "(items: list[int]) -> int")}))
    result = gptls("run", "Add type hints", f"{path}:1", "--config", str(config), "--apply", env=double.env())
    assert result.returncode == 0, result.stderr
    assert path.read_text().startswith("def total(items: list[int]) -> int:")
    typo = gptls("run", "generat", f"{path}:1", env=double.env())
    assert typo.returncode == 2 and "did you mean 'generate'?" in typo.stderr and len(double.requests) == 1


def test_run_help_lists_every_action() -> None:
    from gptls.actions import BY_ID

    result = gptls("run", "--help")
    listed = " ".join(result.stdout.split())
    assert all(action_id in listed for action_id in BY_ID), listed


def _frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def test_under_lsp_the_log_goes_to_the_client_not_also_to_stderr(double) -> None:
    """Editors show stderr too (VS Code in its output, Neovim as errors in lsp.log): each line in one place."""
    session = b"".join(
        _frame(m)
        for m in (
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": None}},
            {"jsonrpc": "2.0", "method": "initialized", "params": {}},
            {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
            {"jsonrpc": "2.0", "method": "exit"},
        )
    )
    result = subprocess.run(
        SERVER_COMMAND,
        input=session,
        capture_output=True,
        env=child_env(double.env()),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert b"window/logMessage" in result.stdout and b"position encoding" in result.stdout
    assert b"position encoding" not in result.stderr, result.stderr.decode()


CODE = "def total(items):\n    result = 0\n    for item in items:\n        result += item\n    return result\n"


def test_run_ask_prints_the_answer_and_a_follow_up_carries_the_earlier_turn(double, tmp_path) -> None:
    source = tmp_path / "totals.py"
    source.write_text(CODE)
    env = {**double.env(), "XDG_STATE_HOME": str(tmp_path / "state")}
    double.script(replies.text("It adds the items up.\x1b]52;c;ZXZpbA==\x07"))
    result = gptls("run", "ask", f"{source}:2", "what does this do?", env=env)
    assert result.returncode == 0, result.stderr
    assert "It adds the items up." in result.stdout and "\x1b" not in result.stdout  # the terminal filter
    assert "what does this do?" in double.requests[0].body["input"]
    double.script(replies.text("An empty list gives 0."))
    result = gptls("run", "ask", str(source), "--follow-up", "and for an empty list?", env=env)
    assert result.returncode == 0, result.stderr
    assert "An empty list gives 0." in result.stdout
    sent = double.requests[1].body["input"]
    assert [m["role"] for m in sent] == ["user", "assistant", "user"]
    assert "what does this do?" in sent[0]["content"] and "It adds the items up" in sent[1]["content"]
    assert sent[2]["content"].endswith("and for an empty list?")


def test_run_ask_follow_up_without_an_earlier_question_says_what_to_do(double, tmp_path) -> None:
    source = tmp_path / "totals.py"
    source.write_text(CODE)
    result = gptls("run", "ask", str(source), "--follow-up", "and then?", env=double.env())
    assert result.returncode == 2 and "ask one first" in result.stderr and double.requests == []
    result = gptls("run", "refactor", f"{source}:2", "--follow-up", "shorter", env=double.env())
    assert result.returncode == 2 and "--follow-up goes with ask" in result.stderr
