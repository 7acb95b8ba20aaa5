"""Running model-written Python behind a boundary (see ``gptls.sandbox``) and reading back what it reports."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gptls.config import secret_environment_values
from gptls.redaction import scrub
from gptls.sandbox import landlock, seccomp
from gptls.sandbox.boundary import BWRAP, LANDLOCK, Boundary, ensure_probed, find_boundary, namespace_flags
from gptls.sandbox.child_program import RUNNER
from gptls.timeouts import timeout

OUTPUT_CAP = 64 * 1024  # what is kept of the run's stdout and stderr
OUTPUT_KILL = 1024 * 1024  # a run that prints more than this is stopped
RESULT_CAP = 64 * 1024
TMPFS_BYTES = 64 * 1024 * 1024
DISK_BYTES = TMPFS_BYTES  # what a Landlock run may write to its work directory, as bwrap's tmpfs holds
DISK_POLL = 0.02  # seconds between looks at the work directory's size


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 10.0
    cpu_seconds: int = 5
    memory_bytes: int = 512 * 1024 * 1024
    file_bytes: int = 16 * 1024 * 1024
    disk_bytes: int = DISK_BYTES
    report_chars: int = 4000
    landlock_abi: int = 0  # use at most this Landlock ABI (0: what the kernel offers)


@dataclass(frozen=True)
class TestRun:
    passed: bool
    report: str
    timed_out: bool = False
    boundary: str = ""


def interpreter() -> tuple[str, str]:
    """The base interpreter (not a venv's: the candidate must not import gptls or its dependencies) and the
    tree it needs."""
    return os.path.realpath(sys.executable), os.path.realpath(sys.base_prefix)


def system_paths() -> list[str]:
    """What an interpreter needs from the host, read-only: /usr, the library links, the loader cache."""
    return ["/usr", "/bin", "/lib", "/lib32", "/lib64", "/sbin", "/etc/ld.so.cache", "/etc/localtime"]


def bwrap_command(boundary: Boundary, source: str, result_fd: int, seccomp_fd: int, limits: Limits) -> list[str]:
    python, prefix = interpreter()
    command = [boundary.bwrap or "bwrap", *namespace_flags(), "--hostname", "sandbox"]
    for path in system_paths():
        if os.path.islink(path):
            command += ["--symlink", os.readlink(path), path]
        elif os.path.exists(path):
            command += ["--ro-bind", path, path]
    if not prefix.startswith("/usr/"):
        command += ["--ro-bind", prefix, prefix]
    command += ["--proc", "/proc", "--dev", "/dev", "--size", str(TMPFS_BYTES), "--tmpfs", "/tmp"]
    command += ["--ro-bind", source, "/sandbox", "--chdir", "/tmp"]
    for name, value in _child_variables("/tmp").items():
        command += ["--setenv", name, value]
    command += ["--seccomp", str(seccomp_fd), "--", python, "-I", "-B", "/sandbox/runner.py", "/sandbox"]
    return [*command, str(result_fd), str(limits.report_chars)]


def _child_variables(home: str) -> dict[str, str]:
    """All the child gets: no secrets, no proxies, nothing from the editor's environment."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "HOME": home,
        "TMPDIR": home,
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
    }


def _limit(limits: Limits) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


async def run_tests(
    code: str, tests: str, limits: Limits | None = None, *, boundary: Boundary | None = None
) -> TestRun:
    """Run ``code`` (its doctests, then ``tests``) behind ``boundary`` and say whether everything passed.
    The report is scrubbed of secrets; a run with no boundary available is refused, not run."""
    limits = limits or Limits()
    boundary = await ensure_probed(boundary or await find_boundary())
    if not boundary.available:
        return TestRun(False, f"Not run: {boundary.describe()}.", boundary="")
    run = await _run(code, tests, limits, boundary)
    return TestRun(run.passed, scrub_report(run.report)[: limits.report_chars], run.timed_out, boundary.kind)


async def _run(code: str, tests: str, limits: Limits, boundary: Boundary) -> TestRun:
    source = await asyncio.to_thread(_prepare, code, tests)
    work = await asyncio.to_thread(tempfile.mkdtemp, prefix="gptls-run-")
    result_read, result_write = os.pipe()
    filter_read = -1
    process: asyncio.subprocess.Process | None = None
    prepared: landlock.Prepared | None = None
    program = seccomp.no_processes_filter()
    try:
        if boundary.kind == BWRAP:
            filter_read, filter_write = os.pipe()
            os.write(filter_write, program)
            os.close(filter_write)
            command = bwrap_command(boundary, source, result_write, filter_read, limits)
            keep: tuple[int, ...] = (result_write, filter_read)
            cwd, preexec = source, lambda: _limit(limits)
        else:
            python, prefix = interpreter()
            command = [python, "-I", "-B", os.path.join(source, "runner.py"), source, str(result_write)]
            command.append(str(limits.report_chars))
            keep = (result_write,)
            cwd = work
            read_only = [prefix, source, *system_paths(), "/dev/null", "/dev/urandom"]
            if boundary.kind == LANDLOCK:
                prepared = await asyncio.to_thread(landlock.Prepared, read_only, [work], program, limits.landlock_abi)

            def preexec() -> None:
                _limit(limits)
                if prepared is not None:
                    prepared.apply()

        process = await asyncio.create_subprocess_exec(
            *command,
            cwd=cwd,
            env={} if boundary.kind == BWRAP else _child_variables(work),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            pass_fds=keep,
            preexec_fn=preexec,
        )
        os.close(result_write)
        result_write = -1
        channel = os.fdopen(result_read, "rb", buffering=0)
        result_read = -1  # owned by the channel now
        return await _collect(process, channel, limits, boundary, work)
    except (OSError, subprocess.SubprocessError) as exc:
        return TestRun(False, f"The sandbox could not start the run ({exc}).", boundary=boundary.kind)
    finally:
        if prepared is not None:
            prepared.close()
        for fd in (result_read, result_write, filter_read):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                await process.wait()
        await asyncio.to_thread(shutil.rmtree, source, True)
        await asyncio.to_thread(shutil.rmtree, work, True)


async def _collect(
    process: asyncio.subprocess.Process, channel: Any, limits: Limits, boundary: Boundary, work: str
) -> TestRun:
    """Read the run's output (capped) and its result (own pipe) until it ends, the wall clock runs out or it
    writes more than its share of disk."""
    loop = asyncio.get_running_loop()
    results = asyncio.StreamReader(limit=RESULT_CAP)
    transport, _protocol = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(results), channel)
    output = bytearray()
    seen = 0

    async def read_output() -> bool:
        """False when the run printed so much that it was stopped."""
        nonlocal seen
        assert process.stdout is not None
        while chunk := await process.stdout.read(65536):
            seen += len(chunk)
            if len(output) < OUTPUT_CAP:
                output.extend(chunk[: OUTPUT_CAP - len(output)])
            if seen > OUTPUT_KILL:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                return False
        return True

    async def read_result() -> bytes:
        raw = bytearray()
        while len(raw) <= RESULT_CAP and (chunk := await results.read(65536)):
            raw.extend(chunk)
        return bytes(raw[:RESULT_CAP])

    flooded = False

    async def watch_disk() -> None:
        """bwrap's tmpfs has a size; the host directory a Landlock run writes to has not: measure it."""
        nonlocal flooded
        while process.returncode is None:
            if await asyncio.to_thread(_tree_bytes, work) > limits.disk_bytes:
                flooded = True
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
                return
            await asyncio.sleep(DISK_POLL)

    watcher = asyncio.ensure_future(watch_disk()) if boundary.kind != BWRAP else None
    try:
        async with timeout(limits.wall_seconds):
            quiet, raw = await asyncio.gather(read_output(), read_result())
            await process.wait()
    except asyncio.TimeoutError:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
        return TestRun(
            False, f"Timed out: the code ran longer than {limits.wall_seconds:g}s and was killed.", True, boundary.kind
        )
    finally:
        transport.close()
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
    if flooded or (watcher is not None and await asyncio.to_thread(_tree_bytes, work) > limits.disk_bytes):
        cap = limits.disk_bytes // (1024 * 1024)
        return TestRun(False, f"Stopped: the code wrote more than {cap} MB to disk.", boundary=boundary.kind)
    if not quiet:
        return TestRun(False, f"Stopped: the code printed more than {OUTPUT_KILL // 1024} KB.", boundary=boundary.kind)
    return _verdict(process.returncode, raw, bytes(output), limits, boundary)


def _verdict(code: int | None, raw: bytes, output: bytes, limits: Limits, boundary: Boundary) -> TestRun:
    try:
        data = json.loads(raw.decode("utf-8", "replace")) if raw else None
    except ValueError:
        data = None
    if code == 0 and isinstance(data, dict) and isinstance(data.get("report"), str):
        return TestRun(bool(data.get("passed")), data["report"], boundary=boundary.kind)
    if code is not None and boundary.kind == BWRAP and code > 128 and code - 128 in signal.valid_signals():
        code = 128 - code  # bwrap passes on its child's death by signal N as exit status 128 + N
    if code is not None and code < 0:
        name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
        why = {"SIGXCPU": "the CPU time limit", "SIGKILL": "a resource limit", "SIGSYS": "the sandbox"}.get(name, name)
        report = f"The test run was killed by {why} ({name})."
    else:
        tail = output.decode("utf-8", "replace")[-limits.report_chars :]
        report = f"The test run crashed (exit code {code}): {tail.strip() or 'no output'}"
    return TestRun(False, report, boundary=boundary.kind)


def _tree_bytes(top: str) -> int:
    """Bytes allocated under ``top`` (sparse files count what they really take), links not followed."""
    total = 0
    stack = [top]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    total += info.st_blocks * 512
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
        except OSError:
            continue
    return total


def scrub_report(report: str) -> str:
    """The report without the API key, any secret-named environment value of this process, or anything
    shaped like a key: it goes to the model, messages, the log and the buffer's note."""
    for value in sorted(secret_environment_values(), key=len, reverse=True):
        report = report.replace(value, "[redacted]")
    return scrub(report)


def _prepare(code: str, tests: str) -> str:
    directory = tempfile.mkdtemp(prefix="gptls-sandbox-")
    os.chmod(directory, 0o755)  # readable by the sandbox's unprivileged uid, never writable by it
    for name, text in (("candidate.py", code), ("tests.py", tests), ("runner.py", RUNNER)):
        path = Path(directory, name)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o644)
    return directory
