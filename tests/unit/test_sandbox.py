"""The sandbox that runs model-written code: what it allows, what it refuses, what it kills."""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest

from gptls.sandbox import Limits, run_tests

FAST = Limits(wall_seconds=5, cpu_seconds=2, memory_bytes=256 * 1024 * 1024)
ADD = "def add(a, b):\n    '''\n    >>> add(1, 2)\n    3\n    '''\n    return a + b\n"


async def test_passing_code_with_doctests_and_tests() -> None:
    run = await run_tests(ADD, "assert add(2, 2) == 4\ndef test_negative():\n    assert add(-1, 1) == 0\n", FAST)
    assert run.passed, run.report
    assert "doctests: 1 of 1 passed" in run.report and "1 test functions" in run.report


async def test_failing_assertion_is_reported_with_its_line() -> None:
    run = await run_tests("def add(a, b):\n    return a - b\n", "assert add(2, 2) == 4\n", FAST)
    assert not run.passed and "tests.py line 1: assert add(2, 2) == 4" in run.report


async def test_failing_doctest_fails_the_run() -> None:
    run = await run_tests(ADD.replace("return a + b", "return a * b"), "", FAST)
    assert not run.passed and "doctests: 0 of 1 passed" in run.report


async def test_syntax_error_is_a_failure_not_a_crash() -> None:
    run = await run_tests("def f(:\n", "", FAST)
    assert not run.passed and "SyntaxError" in run.report


async def test_infinite_loop_is_killed() -> None:
    run = await run_tests("while True:\n    pass\n", "", FAST)
    assert not run.passed and ("CPU time limit" in run.report or run.timed_out)


async def test_sleeping_forever_is_killed_at_the_wall_clock_timeout() -> None:
    run = await run_tests("import time\ntime.sleep(60)\n", "", Limits(wall_seconds=1.5, cpu_seconds=2))
    assert not run.passed and run.timed_out and "1.5s" in run.report


async def test_memory_bomb_is_stopped_by_the_limit() -> None:
    run = await run_tests("x = bytearray(4 * 1024 ** 3)\n", "", FAST)
    assert not run.passed and ("MemoryError" in run.report or "resource limit" in run.report)


async def test_writing_outside_the_sandbox_is_refused(tmp_path) -> None:
    target = tmp_path / "escaped.txt"
    run = await run_tests(f"open({str(target)!r}, 'w').write('x')\n", "", FAST)
    assert not run.passed and "writing outside the sandbox is refused" in run.report
    assert not target.exists()


async def test_renaming_or_deleting_outside_is_refused(tmp_path) -> None:
    victim = tmp_path / "keep.txt"
    victim.write_text("precious")
    for code in (f"import os\nos.remove({str(victim)!r})\n", f"import os\nos.rename({str(victim)!r}, 'x')\n"):
        run = await run_tests(code, "", FAST)
        assert not run.passed and "outside the sandbox is refused" in run.report
    assert victim.read_text() == "precious"


async def test_writing_inside_its_own_directory_works() -> None:
    run = await run_tests("open('scratch.txt', 'w').write('ok')\nassert open('scratch.txt').read() == 'ok'\n", "", FAST)
    assert run.passed, run.report


async def test_the_key_and_the_editor_environment_never_reach_the_child(monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-canary-sandbox-0123456789abcdef")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary")
    code = "import os\nleaked = sorted(k for k in os.environ if 'KEY' in k or 'SECRET' in k or 'TOKEN' in k)\n"
    run = await run_tests(
        code,
        "assert leaked == [], leaked\nassert set(os.environ) <= {'PATH', 'LANG', 'HOME', "
        "'TMPDIR', 'PYTHONDONTWRITEBYTECODE', 'PYTHONHASHSEED', 'LC_CTYPE'}, sorted(os.environ)\n",
        FAST,
    )
    assert run.passed, run.report


@pytest.mark.parametrize(
    "code",
    [
        "import socket\nsocket.create_connection(('127.0.0.1', {port}))\n",
        "import subprocess\nsubprocess.run(['true'])\n",
        "import os\nos.system('true')\n",
        "import ctypes\n",
    ],
)
async def test_network_processes_and_ctypes_are_refused(code) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        run = await run_tests(code.format(port=listener.getsockname()[1]), "", FAST)
    assert not run.passed and ("not allowed" in run.report or "refused" in run.report), run.report


async def test_runs_in_a_network_namespace_where_linux_allows_it() -> None:
    allowed = (
        shutil.which("unshare") is not None
        and subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False).returncode == 0
    )
    run = await run_tests("x = 1\n", "", FAST)
    assert run.passed and run.isolated_network == allowed


async def test_huge_output_is_cut_to_the_report_limit() -> None:
    run = await run_tests("print('x' * 100000)\nassert False, 'y' * 100000\n", "", Limits(report_chars=500))
    assert not run.passed and len(run.report) <= 500
