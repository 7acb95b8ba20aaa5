"""What `gptls run` shows while the model works, on a terminal: one line on stderr (the action, the model, the
seconds waited, what is happening), rewritten in place and erased when the answer comes. Nothing when stderr is
not a terminal, so piped and scripted runs print exactly what they did before."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections.abc import AsyncIterator
from typing import TextIO

from gptls.errors import GptlsError
from gptls.text.shown import plain

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
TICK = 0.25


class TerminalProgress:
    """The pipeline's Reporter for a terminal: ``line()`` is what is shown now."""

    def __init__(self, action: str, model: str, stream: TextIO) -> None:
        self.action = action
        self.model = model
        self.stream = stream
        self.started = time.monotonic()
        self.state = "asking the model"
        self.received = 0
        self._frame = 0
        self._shown = False

    # -- the pipeline's Reporter ------------------------------------------------------------------------------

    def delta(self, text: str) -> None:
        self.received += len(text)
        self.state = f"receiving, {self.received} characters"

    def queued(self) -> None:
        self.state = "waiting for a free slot"

    def retrying(self, error: GptlsError, delay: float) -> None:
        self.state = f"{type(error).__name__}; retrying in {delay:.0f} s"

    def message(self, text: str) -> None:
        self.state = text  # a verified run's rounds: "running the tests (round 2 of 3)…"

    # -- the terminal ------------------------------------------------------------------------------------------

    def line(self) -> str:
        waited = time.monotonic() - self.started
        frame = FRAMES[self._frame % len(FRAMES)]
        return plain(f"{frame} gptls run {self.action} · {self.model} · {waited:.0f} s · {self.state}")

    def draw(self) -> None:
        self._frame += 1
        width = _columns(self.stream)
        self.stream.write("\r\x1b[K" + self.line()[: max(10, width - 1)])
        self.stream.flush()
        self._shown = True

    def erase(self) -> None:
        if self._shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._shown = False


@contextlib.asynccontextmanager
async def shown_while_waiting(action: str, model: str, stream: TextIO | None = None) -> AsyncIterator[TerminalProgress]:
    """A Reporter for the pipeline; on a terminal, its line redrawn every quarter second until the block ends."""
    out = stream or sys.stderr
    progress = TerminalProgress(action, model, out)
    if not _is_terminal(out):
        yield progress
        return

    async def redraw() -> None:
        while True:
            progress.draw()
            await asyncio.sleep(TICK)

    task = asyncio.ensure_future(redraw())
    try:
        yield progress
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        progress.erase()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _columns(stream: TextIO) -> int:
    import os

    try:
        columns = os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        columns = 0
    return columns if columns > 0 else 80  # a terminal that does not say its width
