"""Reading how long the API wants us to wait."""

from __future__ import annotations

import random

import pytest

from gptls.openai.ratelimit import backoff, parse_duration, server_hint


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("12ms", 0.012),
        ("1s", 1.0),
        ("6m0s", 360.0),
        ("1h2m3.5s", 3723.5),
        ("0.5", 0.5),
        ("-1", None),
        ("0", None),
        ("", None),
        (None, None),
        ("soon", None),
        ("5x", None),
    ],
)
def test_parse_duration(text, seconds) -> None:
    assert parse_duration(text) == (pytest.approx(seconds) if seconds is not None else None)


def test_retry_after_ms_wins_over_retry_after() -> None:
    assert server_hint({"retry-after-ms": "250", "retry-after": "9"}) == 0.25


def test_retry_after_http_date() -> None:
    assert server_hint({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=1445412480.0) == pytest.approx(10)


def test_reset_headers_count_only_when_exhausted() -> None:
    headers = {
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "2s",
        "x-ratelimit-remaining-tokens": "100",
        "x-ratelimit-reset-tokens": "6m0s",
    }
    assert server_hint(headers) == 2.0


def test_gateways_that_send_nonsense_are_unknown_not_forever() -> None:
    assert (
        server_hint(
            {
                "retry-after": "-1",
                "retry-after-ms": "0",
                "x-ratelimit-reset-requests": "-1",
                "x-ratelimit-remaining-requests": "0",
            }
        )
        is None
    )


def test_backoff_grows_with_jitter_and_is_capped() -> None:
    rng = random.Random(1)
    delays = [backoff(n, rng) for n in range(8)]
    assert 0.375 <= delays[0] <= 0.5 and delays[1] > delays[0] * 1.4
    assert max(delays) <= 8.0
