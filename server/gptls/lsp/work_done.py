"""Work-done progress for model calls: created beside the call (never before it), cancellable, reporting.

``Progress`` is the pipeline's ``Reporter`` for one job: the pipeline tells it what happens, it tells the
editor. The pipeline never imports this module.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from lsprotocol import types as lsp

from gptls.text.shown import message_text

if TYPE_CHECKING:
    from gptls.errors import GptlsError
    from gptls.lsp.server import GptlsServer

log = logging.getLogger(__name__)


@asynccontextmanager
async def model_progress(
    server: GptlsServer, title: str, token: lsp.ProgressToken | None = None, *, create: bool = True
) -> AsyncIterator[Progress]:
    """Work-done progress for one model call; the client's Cancel cancels the calling task.

    A server-created token needs a round trip to the client; it runs beside the model call instead of
    before it, so progress never adds latency. A call that ends before the client answers shows none.
    """
    task = asyncio.current_task()
    reporter = Progress(server, task, title)
    if token is not None:
        reporter.begin(token)
    elif create and server.features.work_done_progress:
        # Left to finish even if the call ends first (pygls cannot take a cancelled request's answer);
        # begin() does nothing once the call has ended.
        server.keep(asyncio.ensure_future(_create_progress(server, f"gptls-{uuid.uuid4()}", reporter)))
    outcome = "done"
    try:
        yield reporter
    except asyncio.CancelledError:
        outcome = "cancelled"
        raise
    except BaseException:
        outcome = "failed"
        raise
    finally:
        reporter.end(reporter.final or outcome)


async def _create_progress(server: GptlsServer, token: str, reporter: Progress) -> None:
    try:
        await asyncio.wait_for(server.work_done_progress.create_async(token), 5)
    except Exception as exc:  # no progress is better than no answer
        log.info("window/workDoneProgress/create failed: %s", exc)
        return
    reporter.begin(token)


class Progress:
    """One call's progress, and the pipeline's ``Reporter`` for it: begin once the token exists, reports
    while text arrives, end exactly once."""

    def __init__(self, server: GptlsServer, task: asyncio.Task[Any] | None, title: str) -> None:
        self.server = server
        self.task = task
        self.title = message_text(title)  # a settings-defined action's title: a project may have written it
        self.token: lsp.ProgressToken | None = None
        self.received = 0
        self.final: str | None = None
        self._last = 0.0
        self._ended = False
        self._pending = "asking the model…"  # the latest message, shown by begin when it comes late

    def begin(self, token: lsp.ProgressToken) -> None:
        if self._ended:
            return
        self.token = token
        self.server.active_progress[token] = self.title  # status bars may offer Cancel for it
        self.server.send_status_soon()
        progress = self.server.work_done_progress
        progress.begin(token, lsp.WorkDoneProgressBegin(title=self.title, cancellable=True, message=self._pending))
        cancel = progress.tokens.get(token)
        task = self.task
        if cancel is not None and task is not None:
            loop = asyncio.get_running_loop()
            cancel.add_done_callback(lambda f: loop.call_soon_threadsafe(task.cancel) if f.cancelled() else None)

    def end(self, message: str) -> None:
        message = message_text(message)
        self._ended = True
        if self.token is not None:
            if self.server.active_progress.pop(self.token, None) is not None:
                self.server.send_status_soon()
            self.server.work_done_progress.end(self.token, lsp.WorkDoneProgressEnd(message=message))
            self.server.work_done_progress.tokens.pop(self.token, None)

    def message(self, text: str) -> None:
        text = message_text(text)
        self._pending = text
        if self.token is not None and not self._ended:
            self.server.work_done_progress.report(self.token, lsp.WorkDoneProgressReport(message=text))

    def delta(self, text: str) -> None:
        self.received += len(text)
        now = time.monotonic()
        if now - self._last >= 0.2:
            self._last = now
            self.message(f"receiving… {self.received} characters")

    def queued(self) -> None:
        self.message("waiting for a free slot (gptls.maxConcurrentCalls)…")

    def retrying(self, error: GptlsError, delay: float) -> None:
        from gptls.openai.api_errors import RateLimitError

        reason = "rate limited" if isinstance(error, RateLimitError) else type(error).__name__
        self.message(f"{reason}; retrying in {delay:.1f}s…")
