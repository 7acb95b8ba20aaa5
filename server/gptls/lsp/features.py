"""Where every LSP method and command gptls answers is registered, and the one error gate they all pass.

A handler is registered by a decorator beside its function (``@FEATURES.request(lsp.TEXT_DOCUMENT_HOVER, ...)``),
in the module of its feature (``lsp/code_actions.py``, ``hover.py``, ``completions.py``, ``commands.py``,
``lifecycle.py``); ``create_server`` attaches them all. The feature modules import only what answering
``initialize`` needs at their top: the actions, the pipeline and the HTTP client are imported inside the
functions that use them (and warmed up in a thread after ``initialized``).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gptls.lsp.server import GptlsServer

Fallback = Callable[[Exception, "tuple[Any, ...]"], Any]


def nothing(_error: Exception, _args: tuple[Any, ...]) -> None:
    return None


@dataclass(frozen=True)
class Entry:
    method: str  # an LSP method, or a command's name
    handler: Callable[..., Any]
    what: str  # what the user is told failed ("hover", "the action")
    fallback: Fallback  # the answer the editor gets when it failed
    options: Any = None
    command: bool = False


class Registry:
    def __init__(self) -> None:
        self.entries: list[Entry] = []

    def request(
        self, method: str, options: Any = None, *, what: str, fallback: Fallback = nothing
    ) -> Callable[[Any], Any]:
        """Register the decorated function for an LSP request or notification."""

        def add(handler: Callable[..., Any]) -> Callable[..., Any]:
            self.entries.append(Entry(method, handler, what, fallback, options))
            return handler

        return add

    def command(self, name: str, *, what: str, fallback: Fallback) -> Callable[[Any], Any]:
        """Register the decorated function for ``workspace/executeCommand`` with this command name."""

        def add(handler: Callable[..., Any]) -> Callable[..., Any]:
            self.entries.append(Entry(name, handler, what, fallback, command=True))
            return handler

        return add

    def attach(self, server: GptlsServer) -> None:
        for entry in self.entries:
            gated = gate(entry)
            if entry.command:
                server.command(entry.method)(gated)
            else:
                server.feature(entry.method, entry.options)(gated)


FEATURES = Registry()


def gate(entry: Entry) -> Callable[..., Any]:
    """The one error policy of every handler: a gptls error is a message the user can act on, anything else is
    logged with its traceback and reported as an internal error; either way the editor gets
    ``fallback(error, args)`` as the answer, never a protocol error, and nothing is swallowed silently.
    Cancellation goes through untouched (it closes the HTTP call)."""
    handler, what, fallback = entry.handler, entry.what, entry.fallback

    # The first parameter is named ``ls``: pygls passes the server to such a handler.
    if inspect.iscoroutinefunction(handler):

        async def gated_async(ls: GptlsServer, *args: Any) -> Any:
            try:
                return await handler(ls, *args)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                ls.report(error, what)
                return fallback(error, args)

        gated: Callable[..., Any] = gated_async
    else:

        def gated_sync(ls: GptlsServer, *args: Any) -> Any:
            try:
                return handler(ls, *args)
            except Exception as error:
                ls.report(error, what)
                return fallback(error, args)

        gated = gated_sync
    gated.__name__ = handler.__name__
    gated.__doc__ = handler.__doc__
    return gated
