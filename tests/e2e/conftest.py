from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest_asyncio

from tests.double.server import ResponsesDouble
from tests.e2e.editor import Editor, start_editor, stop_editor


@pytest_asyncio.fixture
async def make_editor(double: ResponsesDouble) -> AsyncIterator[Callable[..., Awaitable[Editor]]]:
    """Start gptls as a subprocess with a client of the given kind; shut every one down afterwards."""
    started: list[Editor] = []

    async def make(**kwargs: Any) -> Editor:
        editor = await start_editor(double, **kwargs)
        started.append(editor)
        return editor

    yield make
    for editor in started:
        await stop_editor(editor)


@pytest_asyncio.fixture
async def editor(make_editor: Callable[..., Awaitable[Editor]]) -> Editor:
    """A VS Code-like client: resolve support, documentChanges, progress, workspace/configuration."""
    return await make_editor()
