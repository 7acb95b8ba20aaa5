"""The indexing worker: a child process that reads and parses files for the index, so ``ast.parse`` never
holds the language server's GIL. One JSON line per batch in (the paths), one length-prefixed pickle out.
This module is both sides: the child's loop (``main``) and the index's way to start, ask and stop it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import pickle
import struct
import sys
from dataclasses import replace

from gptls.index.summarize import summarize
from gptls.index.summary import FileSummary

log = logging.getLogger(__name__)


def summarize_files(paths: list[str], max_bytes: int) -> list[tuple[str, FileSummary | None]]:
    """Read and summarize ``paths``; a file that could not be is None (and logged)."""
    found, errors = summarize_batch(paths, max_bytes)
    log_skipped(errors)
    return found


def summarize_batch(paths: list[str], max_bytes: int) -> tuple[list[tuple[str, FileSummary | None]], list[str]]:
    """Read and summarize ``paths`` (in the worker process during a build). Unreadable, binary or oversized
    files, and Python that does not parse, give None; so does a file nested deep enough to break the parser, or
    whose summary raised anything else, which is also named in the second list, for the log."""
    out: list[tuple[str, FileSummary | None]] = []
    errors: list[str] = []
    for path in paths:
        summary = None
        try:
            if os.path.getsize(path) <= max_bytes:
                with open(path, encoding="utf-8") as handle:
                    text = handle.read()
                if "\x00" not in text:
                    refused: list[str] = []
                    summary = summarize(path, text, refused=refused)
                    errors += [f"{path}: {reason}" for reason in refused]
                if summary is not None:
                    summary = replace(summary, mtime_ns=os.stat(path).st_mtime_ns)
        except (OSError, UnicodeDecodeError, ValueError):
            summary = None
        except Exception as exc:  # one odd file never costs the batch
            summary = None
            errors.append(f"{path}: {type(exc).__name__}")
        out.append((path, summary))
    return out, errors


def log_skipped(errors: list[str]) -> None:
    for error in errors:
        log.warning("left a file out of the index: %s", error)


async def start_worker() -> asyncio.subprocess.Process | None:
    # The child imports gptls the way this process does (a venv, the VS Code extension's bundled libraries).
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from gptls.index.worker import main; main()",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=env,
        )
    except OSError as exc:
        log.info("the indexing worker did not start (%s): indexing in a thread", exc)
        return None


async def read_worker(worker: asyncio.subprocess.Process, paths: list[str], max_bytes: int) -> bytes:
    """The worker's pickled summaries of ``paths``."""
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write(json.dumps({"paths": paths, "max_bytes": max_bytes}).encode() + b"\n")
    await worker.stdin.drain()
    (size,) = struct.unpack("<Q", await worker.stdout.readexactly(8))
    return await worker.stdout.readexactly(size)


async def stop_worker(worker: asyncio.subprocess.Process) -> None:
    if worker.stdin is not None:
        worker.stdin.close()
    try:
        await asyncio.wait_for(worker.wait(), 5)
    except asyncio.TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            worker.kill()
        await worker.wait()


def main() -> None:
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        request = json.loads(line)
        data = pickle.dumps(summarize_batch(request["paths"], int(request["max_bytes"])))
        out.write(struct.pack("<Q", len(data)) + data)
        out.flush()


if __name__ == "__main__":
    main()
