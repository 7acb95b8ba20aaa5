"""The index against an odd or hostile tree, at the unit level: a worker that dies, a walk stopped at shutdown,
the cap keeping the files nearest the open ones."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from gptls.index.workspace import IndexLimits, WorkspaceIndex, nearest


def test_a_worker_that_dies_is_replaced_and_its_batch_tried_again(tmp_path: Path) -> None:
    source = tmp_path / "tool.py"
    source.write_text("def tool() -> int:\n    return 1\n")
    index = WorkspaceIndex([str(tmp_path)], ())

    async def run() -> object:
        dead = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "import sys; sys.stdin.readline()",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )  # reads the batch and exits without answering, as a crashed worker does
        workers = [dead]
        try:
            return await index._from_worker(workers, 0, [str(source)])
        finally:
            for worker in workers:
                if worker.returncode is None:
                    worker.kill()
                    await worker.wait()

    answer = asyncio.run(run())
    assert answer is not None
    found, errors = answer  # type: ignore[misc]
    assert [path for path, summary in found if summary is not None] == [str(source)] and errors == []


def test_a_closed_index_stops_its_walk(tmp_path: Path) -> None:
    for i in range(50):
        (tmp_path / f"m{i}.py").write_text("x = 1\n")
    index = WorkspaceIndex([str(tmp_path)], ())
    index.close()
    assert index.walk() == []


def test_past_the_cap_the_files_nearest_the_open_ones_are_kept_never_none(tmp_path: Path) -> None:
    for folder in ("a/deep/er", "b", "work/here"):
        (tmp_path / folder).mkdir(parents=True)
        for i in range(4):
            (tmp_path / folder / f"m{i}.py").write_text("x = 1\n")
    opened = str(tmp_path / "work" / "here" / "m0.py")
    index = WorkspaceIndex([str(tmp_path)], (), IndexLimits(max_files=5), focus=lambda: [opened])
    kept = index.walk()
    assert len(kept) == 5 and sum(p.startswith(str(tmp_path / "work" / "here")) for p in kept) == 4
    assert sum(p.startswith(str(tmp_path / "b")) for p in kept) == 1, "then the nearest folder, not the deepest"
    assert "over indexMaxFiles (5)" in index.stopped_short
    assert nearest(["/r/z/deep/x.py", "/r/a.py"], [], 1) == ["/r/a.py"], "without open files: the shallowest"


async def test_when_the_characters_cap_stops_a_capped_index_the_open_file_s_folder_is_in_it(tmp_path: Path) -> None:
    # "a0"… sort before "work": built in sorted order, the characters cap would fill up on them first.
    for folder in [f"a{i}" for i in range(6)] + ["work"]:
        (tmp_path / folder).mkdir()
        for i in range(3):
            (tmp_path / folder / f"m{i}.py").write_text(f"def f{i}(a: int, b: int) -> int:\n    return a\n")
    opened = str(tmp_path / "work" / "m0.py")
    limits = IndexLimits(max_files=20, max_chars=200)
    index = WorkspaceIndex([str(tmp_path)], (), limits, focus=lambda: [opened])
    await index.build()
    assert {str(tmp_path / "work" / f"m{i}.py") for i in range(3)} <= set(index.files), sorted(index.files)
    assert "characters of signatures" in index.stopped_short


def test_the_index_counts_how_many_files_read_each_attribute_as_files_change(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("def f(h):\n    return h.get('x') or h.get('y')\n")
    (tmp_path / "b.py").write_text("def g(h):\n    return h.get('x'), h.raw\n")
    index = WorkspaceIndex([str(tmp_path)], ())
    index.build_now()
    assert (index.readers["get"], index.readers["raw"]) == (2, 1)
    (tmp_path / "b.py").write_text("def g(h):\n    return h.raw\n")
    asyncio.run(index.refresh(str(tmp_path / "b.py")))
    assert (index.readers["get"], index.readers["raw"]) == (1, 1)
    index.remove(str(tmp_path / "a.py"))
    assert index.readers["get"] == 0
