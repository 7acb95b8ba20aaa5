"""Every LSP method and command gptls answers is registered through one registry, behind one error gate."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gptls.errors import GptlsError
from gptls.lsp.features import FEATURES, Entry, gate
from gptls.lsp.server import create_server


class Reported:
    def __init__(self) -> None:
        self.errors: list[tuple[BaseException, str]] = []

    def report(self, error: BaseException, what: str) -> None:
        self.errors.append((error, what))


def test_every_method_and_command_the_server_answers_is_in_the_registry() -> None:
    server = create_server()
    registered = {e.method for e in FEATURES.entries if not e.command}
    commands = {e.method for e in FEATURES.entries if e.command}
    fm = server.protocol.fm
    assert set(fm.features) == registered
    assert set(fm.commands) == commands
    assert {"textDocument/inlineCompletion", "initialize", "shutdown", "textDocument/didClose"} <= registered


def test_the_gate_turns_a_sync_handlers_error_into_its_fallback_and_a_report() -> None:
    def broken(ls: Any, params: Any) -> None:
        raise KeyError("boom")

    ls = Reported()
    gated = gate(Entry("x/y", broken, "doing x", lambda error, args: ("fallback", type(error).__name__, args)))
    assert gated(ls, 1) == ("fallback", "KeyError", (1,))
    assert ls.errors[0][1] == "doing x" and gated.__name__ == "broken"


def test_the_gate_reports_an_async_handlers_gptls_error_and_lets_cancellation_through() -> None:
    async def refuses(ls: Any, params: Any) -> None:
        raise GptlsError("no key")

    async def cancelled(ls: Any, params: Any) -> None:
        raise asyncio.CancelledError

    ls = Reported()
    assert asyncio.run(gate(Entry("a", refuses, "the action", lambda e, a: {"error": str(e)}))(ls, 0)) == {
        "error": "no key"
    }
    with pytest.raises(asyncio.CancelledError):
        asyncio.run(gate(Entry("b", cancelled, "the action", lambda e, a: None))(ls, 0))
    assert len(ls.errors) == 1
