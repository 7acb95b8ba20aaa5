"""The sandbox that runs model-written code: what it allows, what it refuses, what it kills, behind each
boundary gptls uses on Linux (bubblewrap, and Landlock where user namespaces are not allowed)."""

from __future__ import annotations

import struct

import pytest

from gptls.sandbox import Boundary, Limits, find_boundary, run_tests, scrub_report, seccomp

FAST = Limits(wall_seconds=5, cpu_seconds=2, memory_bytes=256 * 1024 * 1024)
ADD = "def add(a, b):\n    '''\n    >>> add(1, 2)\n    3\n    '''\n    return a + b\n"


@pytest.fixture(params=["bubblewrap", "landlock"])
async def boundary(request) -> Boundary:
    found = await find_boundary(request.param)
    assert found.kind == request.param, f"{request.param} is not available here: {found.why_unavailable}"
    return found


async def test_passing_code_with_doctests_and_tests(boundary) -> None:
    tests = "assert add(2, 2) == 4\ndef test_negative():\n    assert add(-1, 1) == 0\n"
    run = await run_tests(ADD, tests, FAST, boundary=boundary)
    assert run.passed, run.report
    assert "doctests: 1 of 1 passed" in run.report and "1 test functions" in run.report
    assert run.boundary == boundary.kind


async def test_failing_assertion_is_reported_with_its_line(boundary) -> None:
    run = await run_tests("def add(a, b):\n    return a - b\n", "assert add(2, 2) == 4\n", FAST, boundary=boundary)
    assert not run.passed and "tests.py line 1: assert add(2, 2) == 4" in run.report


async def test_failing_doctest_fails_the_run(boundary) -> None:
    run = await run_tests(ADD.replace("return a + b", "return a * b"), "", FAST, boundary=boundary)
    assert not run.passed and "doctests: 0 of 1 passed" in run.report


async def test_syntax_error_is_a_failure_not_a_crash(boundary) -> None:
    run = await run_tests("def f(:\n", "", FAST, boundary=boundary)
    assert not run.passed and "SyntaxError" in run.report


async def test_infinite_loop_is_killed_by_the_cpu_limit(boundary) -> None:
    run = await run_tests("while True:\n    pass\n", "", FAST, boundary=boundary)
    assert not run.passed and ("CPU time limit" in run.report or run.timed_out), run.report


async def test_sleeping_forever_is_killed_at_the_wall_clock_timeout(boundary) -> None:
    run = await run_tests(
        "import time\ntime.sleep(60)\n", "", Limits(wall_seconds=1.5, cpu_seconds=2), boundary=boundary
    )
    assert not run.passed and run.timed_out and "1.5s" in run.report


async def test_memory_bomb_is_stopped_by_the_limit(boundary) -> None:
    run = await run_tests("x = bytearray(4 * 1024 ** 3)\n", "", FAST, boundary=boundary)
    assert not run.passed and ("MemoryError" in run.report or "resource limit" in run.report)


async def test_writing_inside_its_own_directory_works(boundary) -> None:
    code = "open('scratch.txt', 'w').write('ok')\nassert open('scratch.txt').read() == 'ok'\n"
    run = await run_tests(code, "", FAST, boundary=boundary)
    assert run.passed, run.report


async def test_threads_work_but_processes_do_not(boundary) -> None:
    code = (
        "import threading, os\nseen = []\nt = threading.Thread(target=seen.append, args=(1,))\n"
        "t.start()\nt.join()\nassert seen == [1]\n"
        "try:\n    os.fork()\nexcept PermissionError:\n    forked = False\nelse:\n    forked = True\n"
    )
    run = await run_tests(code, "assert forked is False\n", FAST, boundary=boundary)
    assert run.passed, run.report


async def test_the_code_runs_without_any_capability_even_when_gptls_is_root(boundary) -> None:
    # Each of these needs a capability (CAP_CHOWN, CAP_SYS_RESOURCE) that root has and the sandbox must not.
    code = (
        "import os, resource\nopen('mine', 'w').close()\ndenied = []\n"
        "try:\n    os.chown('mine', 12345, 12345)\nexcept OSError:\n    denied.append('chown')\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "try:\n    resource.setrlimit(resource.RLIMIT_NOFILE, (hard + 1, hard + 1))\n"
        "except (ValueError, PermissionError):\n    denied.append('rlimit')\n"
    )
    tests = "assert denied == ['chown', 'rlimit'], denied\n"
    run = await run_tests(code, tests, FAST, boundary=boundary)
    assert run.passed, run.report


async def test_the_key_and_the_editor_environment_never_reach_the_child(boundary, monkeypatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-canary-sandbox-0123456789abcdef")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary")
    code = "import os\nleaked = sorted(k for k in os.environ if 'KEY' in k or 'SECRET' in k or 'TOKEN' in k)\n"
    allowed = "{'PATH', 'LANG', 'HOME', 'TMPDIR', 'PWD', 'PYTHONDONTWRITEBYTECODE', 'PYTHONHASHSEED', 'LC_CTYPE'}"
    tests = f"assert leaked == [], leaked\nassert set(os.environ) <= {allowed}, sorted(os.environ)\n"
    run = await run_tests(code, tests, FAST, boundary=boundary)
    assert run.passed, run.report


async def test_huge_output_is_cut_to_the_report_limit(boundary) -> None:
    code = "print('x' * 100000)\nassert False, 'y' * 100000\n"
    run = await run_tests(code, "", Limits(report_chars=500), boundary=boundary)
    assert not run.passed and len(run.report) <= 500


async def test_a_run_with_no_boundary_available_is_refused_not_run(tmp_path) -> None:
    missing = await find_boundary("bubblewrap", str(tmp_path / "no-bwrap"))
    assert not missing.available and "is not an executable file" in missing.why_unavailable
    run = await run_tests(f"open({str(tmp_path / 'ran')!r}, 'w')\n", "", FAST, boundary=missing)
    assert not run.passed and run.report.startswith("Not run: no sandbox") and not (tmp_path / "ran").exists()


def test_reports_are_scrubbed_of_secret_environment_values_and_keys(monkeypatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_0123456789abcdefCANARY")
    monkeypatch.setenv("DB_PASSWORD", "hunter2hunter2")
    monkeypatch.setenv("EDITOR", "vim")
    report = scrub_report("token ghp_0123456789abcdefCANARY pw hunter2hunter2 key sk-proj-" + "A" * 40 + " editor vim")
    assert "CANARY" not in report and "hunter2" not in report and "AAAAAAAA" not in report
    assert report.endswith("editor vim")


@pytest.mark.parametrize("machine", ["x86_64", "aarch64"])
def test_the_seccomp_filter_is_a_well_formed_bpf_program(machine) -> None:
    program = seccomp.no_processes_filter(machine)
    instructions = [struct.unpack("=HBBI", program[i : i + 8]) for i in range(0, len(program), 8)]
    assert 10 < len(instructions) < 128
    assert all(jt < 256 and jf < 256 for _code, jt, jf, _k in instructions), "BPF jumps are 8-bit"
    for index, (code, jt, jf, _k) in enumerate(instructions):
        if code != 6:  # every instruction but a return goes on: to the next one or where it jumps
            assert index + 1 + max(jt, jf) < len(instructions), "every jump lands inside the program"
    assert instructions[-4:] == [(6, 0, 0, 0x7FFF0000), (6, 0, 0, 0x50001), (6, 0, 0, 0x50026), (6, 0, 0, 0x80000000)]


async def test_a_user_named_bwrap_is_run_only_at_the_first_run_with_an_empty_environment(tmp_path) -> None:
    # find_boundary is asked before the consent dialog: it must not run the program the user named.
    ran = tmp_path / "ran"
    script = tmp_path / "bwrap"
    script.write_text(f"#!/bin/sh\nenv > {ran}\nexit 1\n")
    script.chmod(0o755)
    found = await find_boundary("bubblewrap", str(script))
    assert found.kind == "bubblewrap" and not found.probed and not ran.exists()
    run = await run_tests("pass\n", "", FAST, boundary=found)
    assert ran.exists() and ran.read_text().split() == ["PWD=/"], "the probe ran with an empty environment"
    assert not run.passed and run.report.startswith("Not run: no sandbox: bubblewrap cannot create namespaces")
