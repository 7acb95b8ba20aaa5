"""Run model-written Python with its tests, as safely as this process can arrange.

Layers, outermost first:
- a separate interpreter (``python -I``: no user site, no PYTHON* variables) in a fresh temporary
  directory, in its own process group, killed at a wall-clock timeout;
- an environment with nothing in it but PATH, a locale and HOME/TMPDIR pointing at the temporary directory:
  no OPENAI_API_KEY, no proxies, no tokens;
- no network where the OS lets us cut it: a new network namespace (``unshare -n``, or ``-rn`` for a user
  without privileges) with nothing but a downed loopback;
- resource limits: CPU seconds, address space, file size, open files;
- inside the child, an audit hook (PEP 578) installed before the candidate runs: writing, renaming or
  deleting outside the temporary directory, sockets, subprocesses, exec, fork, signals and ctypes are
  refused. An audit hook cannot be removed from Python code.

This is defence in depth for code a user asked to have tested, not a container: the README says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

RESULT_MARK = "\x1egptls-result "


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 10.0
    cpu_seconds: int = 5
    memory_bytes: int = 512 * 1024 * 1024
    file_bytes: int = 16 * 1024 * 1024
    report_chars: int = 4000


@dataclass(frozen=True)
class TestRun:
    passed: bool
    report: str
    timed_out: bool = False
    isolated_network: bool = False


_probed: dict[str, list[str]] = {}


async def _network_cut() -> list[str]:
    """The command prefix that runs a child without network, or [] where the OS does not allow it."""
    if "unshare" in _probed:
        return _probed["unshare"]
    _probed["unshare"] = []
    tool = shutil.which("unshare")
    if tool and sys.platform.startswith("linux"):
        for flags in (["-n"], ["-rn"]) if os.geteuid() == 0 else (["-rn"],):
            try:
                probe = await asyncio.create_subprocess_exec(
                    tool, *flags, "true", stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL
                )
                if await asyncio.wait_for(probe.wait(), 5) == 0:
                    _probed["unshare"] = [tool, *flags]
                    break
            except (OSError, TimeoutError):
                continue
    return _probed["unshare"]


def child_environment(directory: str) -> dict[str, str]:
    """All the child gets: no secrets, no proxies, nothing from the editor's environment."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": directory,
        "TMPDIR": directory,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
    }


def _limit(limits: Limits) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


async def run_tests(code: str, tests: str, limits: Limits | None = None, *, python: str | None = None) -> TestRun:
    """Run ``code`` (its doctests, then ``tests``) in the sandbox and say whether everything passed."""
    limits = limits or Limits()
    directory = await asyncio.to_thread(_prepare, code, tests)
    process: asyncio.subprocess.Process | None = None
    try:
        prefix = await _network_cut()
        process = await asyncio.create_subprocess_exec(
            *prefix,
            python or sys.executable,
            "-I",
            "-B",
            "runner.py",
            directory,
            str(limits.report_chars),
            cwd=directory,
            env=child_environment(directory),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
            preexec_fn=lambda: _limit(limits),
        )
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), limits.wall_seconds)
        except TimeoutError:
            return TestRun(
                False,
                f"Timed out: the code ran longer than {limits.wall_seconds:g}s and was killed.",
                timed_out=True,
                isolated_network=bool(prefix),
            )
        return _result(process.returncode, stdout, stderr, limits, bool(prefix))
    finally:
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                await process.wait()
        await asyncio.to_thread(shutil.rmtree, directory, True)


def _prepare(code: str, tests: str) -> str:
    directory = tempfile.mkdtemp(prefix="gptls-sandbox-")
    Path(directory, "candidate.py").write_text(code, encoding="utf-8")
    Path(directory, "tests.py").write_text(tests, encoding="utf-8")
    Path(directory, "runner.py").write_text(RUNNER, encoding="utf-8")
    return directory


def _result(code: int | None, stdout: bytes, stderr: bytes, limits: Limits, isolated: bool) -> TestRun:
    text = stdout.decode("utf-8", "replace")
    marker = text.rfind(RESULT_MARK)
    if marker >= 0:
        try:
            data = json.loads(text[marker + len(RESULT_MARK) :].strip().splitlines()[0])
            return TestRun(bool(data["passed"]), str(data["report"])[: limits.report_chars], isolated_network=isolated)
        except (ValueError, KeyError, IndexError):
            pass
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        why = {"SIGXCPU": "the CPU time limit", "SIGKILL": "a resource limit"}.get(name, name)
        report = f"The test run was killed by {why} ({name})."
    else:
        tail = stderr.decode("utf-8", "replace")[-limits.report_chars :]
        report = f"The test run crashed (exit code {code}): {tail.strip() or 'no output'}"
    return TestRun(False, report[: limits.report_chars], isolated_network=isolated)


# The program the child runs. Kept as text so it is written next to the candidate and nothing of gptls is
# importable in the child.
RUNNER = r"""
import contextlib, doctest, io, json, os, sys, traceback, types

ROOT = os.path.realpath(sys.argv[1])
LIMIT = int(sys.argv[2])
MARK = "\x1egptls-result "
real_stdout = sys.stdout

def inside(path):
    try:
        resolved = os.path.realpath(os.fsdecode(path))
    except Exception:
        return False
    return resolved == ROOT or resolved.startswith(ROOT + os.sep)

WRITES = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
PATH_EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.symlink",
               "os.link", "os.truncate", "os.utime", "shutil.rmtree", "shutil.move", "shutil.copyfile",
               "os.chdir", "os.listdir", "os.scandir"}
REFUSED = ("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
           "os.forkpty", "os.kill", "os.killpg", "ctypes.", "os.startfile", "pty.", "webbrowser.")

def hook(event, args):
    if event == "open":
        path, mode, flags = (list(args) + [None, None, None])[:3]
        if isinstance(path, int) or path is None:
            return
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITES)
        if writing and not inside(path):
            raise PermissionError(f"gptls sandbox: writing outside the sandbox is refused ({path})")
    elif event in PATH_EVENTS:
        for path in args[:2]:
            if isinstance(path, (str, bytes, os.PathLike)) and not inside(path):
                if event in ("os.listdir", "os.scandir"):
                    return
                raise PermissionError(f"gptls sandbox: {event} outside the sandbox is refused ({path})")
    elif event.startswith(REFUSED):
        raise PermissionError(f"gptls sandbox: {event} is not allowed")
    elif event == "import" and args and args[0] in ("ctypes", "_ctypes"):
        raise ImportError("gptls sandbox: ctypes is not allowed")

code = open(os.path.join(ROOT, "candidate.py"), encoding="utf-8").read()
tests = open(os.path.join(ROOT, "tests.py"), encoding="utf-8").read()
sys.addaudithook(hook)

module = types.ModuleType("candidate")
namespace = module.__dict__  # functions' globals must be the module's dict for doctest to find them
report = []
passed = True
printed = io.StringIO()

def failure(title):
    kind, value, tb = sys.exc_info()
    frames = [f for f in traceback.extract_tb(tb) if f.filename in ("candidate.py", "tests.py")][-3:]
    lines = [f"  {f.filename} line {f.lineno}: {f.line}" for f in frames]
    lines.append("".join(traceback.format_exception_only(kind, value)).strip())
    return title + ":\n" + "\n".join(lines)

with contextlib.redirect_stdout(printed):
    try:
        exec(compile(code, "candidate.py", "exec"), namespace)
    except BaseException:  # SyntaxError, MemoryError, PermissionError from the hook...
        passed = False
        report.append(failure("The code failed to load"))
    if passed:
        out = io.StringIO()
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
        for test in doctest.DocTestFinder(recurse=True).find(module, "candidate"):
            runner.run(test, out=out.write)  # each doctest gets a copy of the module's globals
        results = runner.summarize(verbose=False)
        if results.attempted:
            report.append(f"doctests: {results.attempted - results.failed} of {results.attempted} passed")
        if results.failed:
            passed = False
            report.append(out.getvalue().strip())
        try:
            exec(compile(tests, "tests.py", "exec"), namespace)
            names = [n for n, v in list(namespace.items()) if n.startswith("test") and callable(v)]
            for name in names:
                try:
                    namespace[name]()
                except BaseException:
                    passed = False
                    report.append(failure(f"{name} failed"))
            if passed:
                report.append(f"tests: all passed ({len(names)} test functions, top-level assertions held)")
        except BaseException:
            passed = False
            report.append(failure("The tests failed"))

output = printed.getvalue()
if output.strip():
    report.append("printed:\n" + output[-1000:])
real_stdout.write(MARK + json.dumps({"passed": passed, "report": "\n".join(report)[:LIMIT]}) + "\n")
real_stdout.flush()
"""
