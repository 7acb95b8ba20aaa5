"""``timeout()``: ``asyncio.timeout`` where Python has it (3.11+), the same contract before.

Exceeding the delay cancels the body and raises ``asyncio.TimeoutError`` (on 3.11+ the builtin
``TimeoutError`` is the same class), so callers catch ``asyncio.TimeoutError`` on every Python.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator

if sys.version_info >= (3, 11):
    from asyncio import timeout
else:

    @contextlib.asynccontextmanager
    async def timeout(delay: float | None) -> AsyncIterator[None]:
        task = asyncio.current_task()
        assert task is not None, "timeout() is used inside a task"
        expired = False

        def expire() -> None:
            nonlocal expired
            expired = True
            task.cancel()

        handle = None if delay is None else asyncio.get_running_loop().call_later(max(delay, 0.0), expire)
        try:
            yield
        except asyncio.CancelledError:
            if expired:
                raise asyncio.TimeoutError from None
            raise
        finally:
            if handle is not None:
                handle.cancel()


__all__ = ["timeout"]
