"""Fixtures shared by every test: the Responses API double."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.double.server import ResponsesDouble


@pytest.fixture
def double() -> Iterator[ResponsesDouble]:
    """A Responses API double on 127.0.0.1; the test fails if any request broke the official schema."""
    server = ResponsesDouble().start()
    try:
        yield server
    finally:
        server.stop()
    assert not server.schema_violations, f"requests the real API would reject: {server.schema_violations}"
