"""How long to wait before trying again: the API's own hints first, then backoff with jitter."""

from __future__ import annotations

import email.utils
import random
import re
import time
from collections.abc import Mapping

INITIAL_DELAY = 0.5
MAX_BACKOFF = 8.0

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)")


def parse_duration(text: str | None) -> float | None:
    """Seconds in a rate-limit reset value such as ``12ms``, ``1s``, ``6m0s`` or ``0.5``.

    Missing, negative or unreadable values mean "unknown" (gateways send -1 or 0 when they don't know).
    """
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        return value if value > 0 else None
    parts = _DURATION_PART.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    total = sum(float(number) * scale[unit] for number, unit in parts)
    return total if total > 0 else None


def server_hint(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds the server asked us to wait, or None when it said nothing usable."""
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            value = float(ms) / 1000.0
            if value > 0:
                return value
        except ValueError:
            pass
    after = headers.get("retry-after")
    if after is not None:
        try:
            value = float(after)
            if value > 0:
                return value
        except ValueError:
            parsed = email.utils.parsedate_tz(after)
            if parsed is not None:
                wait = email.utils.mktime_tz(parsed) - (time.time() if now is None else now)
                if wait > 0:
                    return wait
    resets: list[float] = []
    for kind in ("requests", "tokens"):
        reset = parse_duration(headers.get(f"x-ratelimit-reset-{kind}"))
        remaining = headers.get(f"x-ratelimit-remaining-{kind}")
        if reset is not None and remaining is not None and remaining.strip() == "0":
            resets.append(reset)
    return max(resets) if resets else None


def backoff(attempt: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter for retry number ``attempt`` (0-based)."""
    base = min(INITIAL_DELAY * (2**attempt), MAX_BACKOFF)
    jitter: float = 1 - 0.25 * (rng or random).random()
    return float(base * jitter)


def headroom(headers: Mapping[str, str]) -> dict[str, str]:
    """The rate-limit headers worth logging, with short names."""
    names = (
        "x-ratelimit-remaining-requests",
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-tokens",
        "x-ratelimit-limit-tokens",
    )
    return {name.removeprefix("x-ratelimit-"): headers[name] for name in names if name in headers}
