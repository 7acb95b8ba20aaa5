"""The workspace index: a summary of every source file under the workspace roots, kept current.

Built in the background, never on a request's path: the walk runs in a thread and the files are read and
parsed in a worker process (``index/worker.py``: ``ast.parse`` holds the GIL, which would stall the editor's
requests), in batches. Open buffers override the disk. What it never holds: files matching an exclude glob (on the path
and on the file a link points to), ``.gitignore``d files, virtual environments, ``node_modules``, build
output, links to directories, files over ``max_file_bytes``, names that are not UTF-8 (a prompt cannot carry
them); past ``max_files`` files it keeps those nearest the open files, never none, and it stops at
``max_chars`` characters of summaries, and says so. It lives in memory only.

A repository may be hostile or just odd: a link loop, an unreadable entry, a file whose parse raises anything
(a nesting deep enough for a RecursionError), a worker process that dies, a ``.gitignore`` of absurd size. Each
costs that entry (skipped, logged) and never the index.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import logging
import os
import pickle
import re
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from gptls.exclusion import matching_exclude
from gptls.index.gitignore import Gitignores
from gptls.index.summarize import changed_lines, summarize, summarize_edit
from gptls.index.summary import FileSummary
from gptls.index.tree import SKIP_DIRS, folders_between, is_under, is_utf8, nearest
from gptls.index.worker import log_skipped, read_worker, start_worker, stop_worker, summarize_batch, summarize_files
from gptls.languages import INDEXED_SUFFIXES

log = logging.getLogger(__name__)

BATCH = 100
WALK_FACTOR = 5  # past max_files, the walk gathers this many times more to choose the nearest from
NEAR_LINES = 100  # an edit this small is summarized from the buffer's previous summary
# Worker processes parsing in parallel: the build is a one-off, and the server itself stays on its own core.
WORKERS = max(1, min(2, (os.cpu_count() or 1)))


@dataclass(frozen=True)
class IndexLimits:
    max_files: int = 20_000
    max_file_bytes: int = 512 * 1024
    max_chars: int = 24_000_000  # characters of signatures and summaries kept: ~+300 MiB at the peak (bench/scale.py)


class WorkspaceIndex:
    """Summaries of the files under ``roots``; ``summary(path)`` answers from open buffers first."""

    def __init__(
        self,
        roots: Iterable[str],
        exclude: tuple[str, ...],
        limits: IndexLimits | None = None,
        *,
        opened: Callable[[str], str | None] = lambda _path: None,
        check_mtimes: bool = False,
        focus: Callable[[], Iterable[str]] = tuple,
    ) -> None:
        self.roots = [os.path.realpath(r) for r in roots if r]
        self.exclude = exclude
        self.limits = limits or IndexLimits()
        self.files: dict[str, FileSummary] = {}
        # The face's open buffers (path -> text): they win over the disk, unsaved edits included. Read when a
        # prompt needs the file, so typing costs nothing here.
        self.opened = opened
        # Without file-change notifications from the client, a file is re-read when its mtime moved.
        self.check_mtimes = check_mtimes
        # The files the user works on (the open ones): past max_files, the index keeps what is nearest to them.
        self.focus = focus
        self._stop = threading.Event()  # set when the build is cancelled: the walk's thread ends too
        self._full = False  # max_chars reached: nothing more is kept
        self._buffer_memo: dict[str, tuple[str, FileSummary]] = {}
        self.stopped_short = ""  # why the index holds less than the workspace (a cap), or ""
        self.built = False
        self.build_seconds = 0.0
        self._chars = 0
        self.gitignores = Gitignores()
        self.version = 0  # moves when a file is added or removed (derived maps are rebuilt then)
        self.memo: dict[str, Any] = {}  # derived data others keep with the index (the resolver)
        # word of a definition's name -> {(path, name)}: the lexical search, kept as files come and go
        self.words: dict[str, set[tuple[str, str]]] = {}
        self.readers: Counter[str] = Counter()  # attribute name -> how many indexed files read it

    # -- building -------------------------------------------------------------------------------------------

    async def build(self) -> None:
        """Walk and parse every root, off the event loop (the walk in a thread, the parsing in a worker
        process). Safe to await from a background task; cancelling it stops the worker."""
        started = time.monotonic()
        try:
            paths = await asyncio.to_thread(self.walk)
        except BaseException:
            self._stop.set()  # cancelled (the server shuts down): the thread stops at its next folder
            raise
        batches = [paths[start : start + BATCH] for start in range(0, len(paths), BATCH)]
        workers = [w for w in [await start_worker() for _ in range(WORKERS)] if w is not None]

        async def drain(slot: int | None) -> None:
            while batches and not self._full:
                batch = batches.pop(0)
                if slot is None:  # no worker process here: a thread (slower for the editor meanwhile, but it works)
                    found, errors = await asyncio.to_thread(summarize_batch, batch, self._max_bytes)
                else:
                    answer = await self._from_worker(workers, slot, batch)
                    if answer is None:
                        continue
                    found, errors = answer
                log_skipped(errors)
                with _no_collection():
                    for path, summary in found:
                        if summary is not None:
                            self._keep(path, summary)

        try:
            drains = [drain(slot) for slot in range(len(workers))] if workers else [drain(None)]
            await asyncio.gather(*drains)
        except BaseException:
            self._stop.set()
            for worker in workers:  # cancelled (the server shuts down) or broken: the workers go at once
                with contextlib.suppress(ProcessLookupError):
                    worker.kill()
            raise
        finally:
            for worker in workers:
                await stop_worker(worker)
        self.built = True
        self.build_seconds = time.monotonic() - started
        # The summaries live as long as the server: out of the collector's sight from now on. Otherwise each
        # full collection walks them all, and one came inside a prompt: 1.2 s of a frozen editor at 20,000
        # files (bench/scale.py). Objects made later are collected as usual.
        gc.freeze()
        log.info(
            "indexed %d files under %s in %.1fs%s",
            len(self.files),
            ", ".join(self.roots),
            self.build_seconds,
            f" (stopped short: {self.stopped_short})" if self.stopped_short else "",
        )

    async def _from_worker(
        self, workers: list[asyncio.subprocess.Process], slot: int, batch: list[str]
    ) -> tuple[list[tuple[str, FileSummary | None]], list[str]] | None:
        """The worker's summaries of ``batch``. A worker that dies (a file that crashes the parser, the OOM
        killer) is replaced and the batch tried once more; if it dies again the batch is skipped."""
        for attempt in (1, 2):
            try:
                data = await read_worker(workers[slot], batch, self._max_bytes)
                with _no_collection():
                    answer: tuple[list[tuple[str, FileSummary | None]], list[str]] = pickle.loads(data)
                return answer
            except (asyncio.IncompleteReadError, ConnectionError, OSError, EOFError, pickle.UnpicklingError) as exc:
                log.warning(
                    "the indexing worker died on %d files from %s (%s); %s",
                    len(batch),
                    os.path.dirname(batch[0]),
                    type(exc).__name__,
                    "trying them once more" if attempt == 1 else "they are left out",
                )
                with contextlib.suppress(ProcessLookupError):
                    workers[slot].kill()
                await stop_worker(workers[slot])
                replacement = await start_worker()
                if replacement is None:
                    return None
                workers[slot] = replacement
        return None

    def close(self) -> None:
        """Stop a walk under way (the server is going)."""
        self._stop.set()

    def build_now(self) -> None:
        """The same, in this thread (the command line, which has nothing else to do meanwhile)."""
        started = time.monotonic()
        found, errors = summarize_batch(self.walk(), self._max_bytes)
        log_skipped(errors)
        for path, summary in found:
            if summary is not None:
                self._keep(path, summary)
            if self._full:
                break
        self.built = True
        self.build_seconds = time.monotonic() - started

    @property
    def _max_bytes(self) -> int:
        return self.limits.max_file_bytes

    def walk(self) -> list[str]:
        """The source files to index, sorted, at most ``max_files``: past that, the nearest to the open files
        (by folders between them), never none, nearest first."""
        limit = self.limits.max_files
        every = itertools.chain.from_iterable(self._walk(root) for root in self.roots)
        found = list(itertools.islice(every, limit * WALK_FACTOR))
        if len(found) > limit:
            seen = f"{len(found):,}" if len(found) < limit * WALK_FACTOR else f"more than {len(found):,}"
            self.stopped_short = (
                f"{seen} source files, over indexMaxFiles ({limit:,}): the {limit:,} nearest the open files are indexed"
            )
            # Nearest first, in that order: the batches go in it, so if the characters cap stops the index
            # later it is the farthest files that are left out.
            return nearest(found, list(self.focus()), limit)
        return sorted(found)

    def _walk(self, root: str) -> Iterator[str]:
        stack = [root]
        while stack and not self._stop.is_set():
            folder = stack.pop()
            try:
                entries = sorted(os.scandir(folder), key=lambda e: e.name)
            except (OSError, ValueError):
                continue
            self.gitignores.read(folder)
            for entry in entries:
                if not is_utf8(entry.name):
                    continue  # a name a prompt cannot carry: left out, never an error in another file's action
                try:
                    if entry.is_dir(follow_symlinks=False):
                        if self.wanted_dir(entry.path, entry.name):
                            stack.append(entry.path)
                        continue
                    wanted = entry.is_file(follow_symlinks=True) and self.wanted_file(entry.path)
                except (OSError, ValueError):
                    continue  # a link loop (ELOOP), an entry gone or unreadable meanwhile
                if wanted:
                    yield entry.path

    def wanted_dir(self, path: str, name: str) -> bool:
        if name in SKIP_DIRS or name.endswith(".egg-info") or name.startswith("."):
            return False
        if os.path.exists(os.path.join(path, "pyvenv.cfg")):
            return False  # a virtual environment, whatever its name
        return not self.gitignores.ignores(path, is_dir=True) and not self._excluded(path)

    def wanted_file(self, path: str) -> bool:
        """A source file the index may read: a known language, not excluded (also where it links to), not
        ignored by git, not too big."""
        if os.path.splitext(path)[1].lower() not in INDEXED_SUFFIXES:
            return False
        if self._excluded(path) or self.gitignores.ignores(path, is_dir=False):
            return False
        real = os.path.realpath(path)
        if real != path and (self._excluded(real) or not any(is_under(real, root) for root in self.roots)):
            return False  # a link to a secret, or out of the workspace
        try:
            return os.path.getsize(path) <= self.limits.max_file_bytes
        except OSError:
            return False

    def wanted_buffer(self, path: str) -> bool:
        """An open buffer another file's prompt may quote: the rules of the files on disk (under a root, a known
        language, not excluded, not ignored by git, and where it links to as well), less the size (an unsaved
        buffer has none on disk). An editor holds whatever the user opened; the prompt does not."""
        if not self.covers(path) or os.path.splitext(path)[1].lower() not in INDEXED_SUFFIXES:
            return False
        self.gitignores.read_above(self._root_of(path), path)
        if self.gitignores.ignores(path, is_dir=False) or any(
            self.gitignores.ignores(folder, is_dir=True) for folder in folders_between(self._root_of(path), path)
        ):
            return False
        real = os.path.realpath(path)
        return real == path or (not self._excluded(real) and any(is_under(real, root) for root in self.roots))

    def _root_of(self, path: str) -> str:
        return next(root for root in self.roots if is_under(path, root))

    def _excluded(self, path: str) -> bool:
        return matching_exclude(Path(path).as_uri(), self.exclude) is not None

    def _keep(self, path: str, summary: FileSummary) -> None:
        old = self.files.get(path)
        if old is not None:
            self._chars -= old.size
            self._unlist(path, old)
        else:
            self.version += 1
        if self._chars + summary.size > self.limits.max_chars:
            self.stopped_short = (
                f"the memory cap ({self.limits.max_chars:,} characters of signatures) is reached: the files "
                "nearest the open ones are indexed"
            )
            self._full = True
            self.files.pop(path, None)
            return
        if summary.attributes:  # a worker's names arrive as new strings: one shared copy of each
            summary = replace(summary, attributes=tuple(sys.intern(name) for name in summary.attributes))
        self.files[path] = summary
        self._chars += summary.size
        for name in summary.symbols:
            for word in name_words(name):
                self.words.setdefault(word, set()).add((path, name))
        self.readers.update(summary.attributes)

    def _unlist(self, path: str, summary: FileSummary) -> None:
        for name in summary.symbols:
            for word in name_words(name):
                self.words.get(word, set()).discard((path, name))
        self.readers.subtract(summary.attributes)

    # -- keeping current -------------------------------------------------------------------------------------

    async def refresh(self, path: str) -> None:
        """A file changed, appeared or went away on disk (workspace/didChangeWatchedFiles, or an mtime)."""
        if not self.covers(path) or not await asyncio.to_thread(os.path.isfile, path):
            self.remove(path)
            return
        if not self.wanted_file(path):
            self.remove(path)
            return
        for found, summary in await asyncio.to_thread(summarize_files, [path], self._max_bytes):
            if summary is not None:
                self._keep(found, summary)

    def set_exclude(self, patterns: tuple[str, ...]) -> None:
        """New excludes: what they match leaves the index now (and is never read again)."""
        self.exclude = patterns
        for path in [p for p in self.files if self._excluded(p) or self._excluded(os.path.realpath(p))]:
            self.remove(path)

    def remove(self, path: str) -> None:
        old = self.files.pop(path, None)
        if old is not None:
            self._chars -= old.size
            self._unlist(path, old)
            self.version += 1

    def covers(self, path: str) -> bool:
        return any(is_under(path, root) for root in self.roots) and self.wanted_file_name(path)

    def wanted_file_name(self, path: str) -> bool:
        parts = Path(path).parts
        return not any(part in SKIP_DIRS or part.endswith(".egg-info") for part in parts) and not self._excluded(path)

    # -- reading ---------------------------------------------------------------------------------------------

    def summary(self, path: str) -> FileSummary | None:
        """The file as the editor holds it if open, else as the disk does (re-read when its mtime moved and the
        client sends no file-change notifications)."""
        text = self.opened(path) if path in self.files or self.wanted_buffer(path) else None
        if text is not None:
            return self.summary_of_text(path, text)
        found = self.files.get(path)
        if found is None:
            return self.on_demand(path)
        if self.check_mtimes:
            try:
                moved = os.stat(path).st_mtime_ns != found.mtime_ns
            except OSError:
                self.remove(path)
                return None
            if moved:
                for _path, fresh in summarize_files([path], self._max_bytes):
                    if fresh is not None:
                        self._keep(path, fresh)
                        found = fresh
        return found

    def on_demand(self, path: str) -> FileSummary | None:
        """A file the crawl has not reached yet, read and summarized now (milliseconds for the few files a
        target imports), so the first action after start-up quotes them too. The crawl goes on."""
        if self.built or path in self.files or not self.covers(path):
            return None
        try:
            if not os.path.isfile(path) or not self.wanted_file(path):
                return None
        except (OSError, ValueError):
            return None
        for found, summary in summarize_files([path], self._max_bytes):
            if summary is not None:
                self._keep(found, summary)
                return summary
        return None

    def summary_of_text(self, path: str, text: str, language: str | None = None) -> FileSummary | None:
        """The summary of an open buffer's ``text``, made once per text (the prompt's own file and the index
        share it)."""
        memo = self._buffer_memo.get(path)
        if (memo is not None and memo[0] is text) or (memo is not None and memo[0] == text):
            return memo[1]
        # From the text nearest to this one: the buffer's last summary (typing), else the file on disk (a
        # buffer just opened, or one that moved far from its last summary).
        base = memo if memo is not None and changed_lines(memo[0], text) <= NEAR_LINES else None
        base = base or self._disk_text(path) or memo
        summary = summarize_edit(path, base[0], base[1], text) if base is not None else None
        if summary is None:
            summary = summarize(path, text, language)
        if summary is None:  # mid-edit Python that does not parse: the last good summary
            return memo[1] if memo is not None else self.files.get(path)
        self._buffer_memo[path] = (text, summary)
        return summary

    def _disk_text(self, path: str) -> tuple[str, FileSummary] | None:
        """The file's text on disk with the index's summary of it, when that summary is of this text (the
        start of an incremental summary for a buffer just opened)."""
        found = self.files.get(path)
        if found is None or found.language != "python":
            return None
        try:
            if os.stat(path).st_mtime_ns != found.mtime_ns:
                return None
            with open(path, encoding="utf-8") as handle:
                return handle.read(), found
        except (OSError, UnicodeDecodeError):
            return None

    def all_paths(self) -> list[str]:
        return sorted(self.files)

    def relative(self, path: str) -> str:
        for root in self.roots:
            if is_under(path, root):
                return os.path.relpath(path, root).replace(os.sep, "/")
        return path


def name_words(name: str) -> set[str]:
    """The words of an identifier (``parse_http_header`` and ``parseHTTPHeader`` -> parse, http, header)."""
    parts = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", name)
    return {p.lower() for p in parts if len(p) > 2}


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """A batch of summaries is thousands of new objects that all live on: the cyclic collector, run again and
    again over the whole heap while they arrive, cost more than the parsing in a big process (measured:
    21 s against 9 s for 5,112 files). Objects still in use, the collector has nothing to find there."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
