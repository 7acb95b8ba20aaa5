"""Fixtures shared by every test: the Responses API double."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.double.server import ResponsesDouble


@pytest.fixture
def double() -> Iterator[ResponsesDouble]:
    """A Responses API double on 127.0.0.1; the test fails if any request broke the official schema, or if the
    double itself answered in a shape the (lenient) official schema does not allow."""
    server = ResponsesDouble().start()
    try:
        yield server
    finally:
        server.stop()
    assert not server.schema_violations, f"requests the real API would reject: {server.schema_violations}"
    assert not server.answer_violations, (
        f"the double answered what the real API never sends: {server.answer_violations}"
    )
