"""The index at any size: workspaces of 5,000, 20,000 and 50,000 real Python files.

``python -m bench.scale`` builds each workspace from the bench projects' files (hard links, copies side by side
as ``c0/``, ``c1/``…: what a monorepo of vendored packages looks like) and measures, for the index as the server
builds it (``indexMaxFiles`` at its default, 20,000: past it the files nearest the open file are kept):

- the build's wall time on this machine, and the peak resident memory it adds (this process and its worker
  processes, sampled every 20 ms);
- context assembly for *Generate function* on stubs of the open file's package: p95 in ms;
- over stdio, on the largest workspace: a real server started on it, a file opened in the copy that sorts
  last, and *Generate function* asked at once: does that first request quote the definitions the file
  imports (before the index is built)?
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench.context import TUNING, cache_dir, fetch, p95
from bench.needs import draw
from gptls.actions import BY_ID
from gptls.config import Settings
from gptls.index import WorkspaceIndex, project_context
from gptls.index.resolve import Resolver
from gptls.pipeline import job_at
from gptls.text import Document, Pos, Span

SIZES = (5_000, 20_000, 50_000)
FOCUS = Path("rich", "panel.py")  # the open file: it imports Text, Style, Box… from its own package


def workspace(projects: list[Path], files: int) -> tuple[Path, Path, int]:
    """At least ``files`` Python files under one root, the last copy's root (where the user works), and how
    many files there are."""
    root = cache_dir() / f"scale-{files}"
    done = root / ".complete"
    if not done.exists():
        count = copies = 0
        while count < files:
            for project in projects:
                for source in project.rglob("*.py"):
                    target = root / f"c{copies}" / source.relative_to(project)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if not target.exists():
                        os.link(source, target)
                    count += 1
            copies += 1
        done.write_text(f"{copies} {count}")
    copies, count = (int(n) for n in done.read_text().split())
    return root, root / f"c{copies - 1}", count


class Peak:
    """The highest resident memory of this process and its children while it runs."""

    def __init__(self) -> None:
        self.base = self.peak = _rss_tree(os.getpid())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_tree(os.getpid()))


def _rss_tree(pid: int) -> float:
    """MiB resident for ``pid`` and its descendants."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


async def measure(root: Path, focus: Path, cases_wanted: int) -> dict[str, float]:
    settings = Settings()
    opened = focus / FOCUS
    index = WorkspaceIndex([str(root)], settings.exclude, focus=lambda: [str(opened)])
    with Peak() as peak:
        started = time.perf_counter()
        await index.build()
        await asyncio.to_thread(Resolver.of(index).modules)  # as the server does once the index is built
        seconds = time.perf_counter() - started
    cases = draw("rich", focus, cases_wanted, random.Random(1))
    # jedi's parse trees are the bench's, not the server's (it has none): out of the collector's sight as the
    # index is, or a full collection of them inside a timed prompt would count against gptls.
    gc.freeze()
    first, timings = [], []
    for case in cases:
        doc = Document(case.stub, "python", Path(case.path).as_uri())
        index.opened = lambda path, case=case: case.stub if path == case.path else None
        job = job_at(BY_ID["generate"], doc, Span(Pos(case.line, 0), Pos(case.line, 0)))
        if job is None:
            continue
        for attempt in range(3):  # the first in a file includes summarizing it; then what each prompt costs
            begun = time.perf_counter()
            project_context(doc, job.target, settings.context_budget, index)
            (timings if attempt else first).append((time.perf_counter() - begun) * 1000)
    return {
        "indexed": len(index.files),
        "seconds": seconds,
        "added": peak.peak - peak.base,
        "p95": p95(timings),
        "first": p95(first),
    }


async def first_action(root: Path, focus: Path) -> tuple[bool, str]:
    """Over stdio: is the imported Text class quoted in the very first Generate function request?"""
    from tests.double import replies
    from tests.double.server import ResponsesDouble
    from tests.e2e.editor import start_editor

    double = ResponsesDouble().start()
    try:
        editor = await start_editor(double, root=str(root))
        path = focus / FOCUS
        text = path.read_text(encoding="utf-8")
        stub = text + "\n\ndef framed(text: Text, title: str) -> Panel:\n    ...\n"
        uri = editor.open_uri(path.as_uri(), stub)
        double.script(replies.json_output({"code": "return Panel(text, title=title)"}))
        await editor.run(uri, editor.cursor(uri, "    ..."), "generate")
        sent = str(double.bodies[-1]["input"])
        state = editor.statuses[-1].indexed if editor.statuses else None
        await editor.client.shutdown_session()
        await editor.client.stop()
    finally:
        double.stop()
    return "class Text(JupyterMixin)" in sent, "built" if state is not None and state.built else "still building"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one 5,000-file workspace")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a size, measured in a fresh process
    args = parser.parse_args(argv)
    projects = [fetch(p) for p in TUNING]
    if args.one:
        root, focus, files = workspace(projects, args.one)
        print(json.dumps({"files": files, **asyncio.run(measure(root, focus, 10))}))
        return 0
    sizes = SIZES[:1] if args.quick else SIZES
    rows = []
    for size in sizes:  # each in its own process: memory a previous size left behind is not this one's
        workspace(projects, size)
        done = subprocess.run(
            [sys.executable, "-m", "bench.scale", "--one", str(size)], capture_output=True, text=True, check=True
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    root, focus, _files = workspace(projects, sizes[-1])
    quoted, state = asyncio.run(first_action(root, focus))
    print(f"\nThe index at scale (indexMaxFiles {Settings().index_max_files:,}; {os.cpu_count()} cores)\n")
    print(
        f"{'workspace':>10} {'indexed':>8} {'build s':>8} {'+MiB peak':>10} {'KiB/file':>9} "
        f"{'assembly p95 ms':>16} {'first in a file':>16}"
    )
    for row in rows:
        per_file = row["added"] * 1024 / max(row["indexed"], 1)
        print(
            f"{row['files']:>10,} {row['indexed']:>8,.0f} {row['seconds']:>8.1f} {row['added']:>10.0f} "
            f"{per_file:>9.1f} {row['p95']:>16.1f} {row['first']:>16.1f}"
        )
    print(
        "targets: build ≤ 60 s, +300 MiB at the peak, assembly p95 ≤ 20 ms (the first prompt in a file also "
        "summarizes that file: p95 of those apart)"
    )
    print(
        f"first Generate function right after initialize on {rows[-1]['files']:,.0f} files "
        f"(index {state}): imported definitions quoted: {'yes' if quoted else 'NO'}"
    )
    return 0 if quoted else 1


if __name__ == "__main__":
    sys.exit(main())
