"""What calls cost: tokens and estimated USD for this session per model and per kind of call (completions,
actions, hovers), and today's total across sessions, kept in the user state directory (``usage.json``) so a
daily budget holds across restarts and editors."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gptls.openai.wire import Usage
from gptls.state_files import read_state, write_state

log = logging.getLogger(__name__)

USAGE_FILE = "usage.json"
KINDS = ("completions", "actions", "hovers", "asks")
KEEP_DAYS = 31


@dataclass
class ModelUsage:
    calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0

    def add(self, usage: Usage, cost: float) -> None:
        self.calls += 1
        self.usage = self.usage + usage
        self.cost_usd += cost

    def report(self) -> dict[str, float | int]:
        return {
            "calls": self.calls,
            "inputTokens": self.usage.input_tokens,
            "cachedInputTokens": self.usage.cached_input_tokens,
            "outputTokens": self.usage.output_tokens,
            "reasoningTokens": self.usage.reasoning_tokens,
            "costUsd": round(self.cost_usd, 6),
        }


def _today() -> str:
    return datetime.date.today().isoformat()


class UsageLedger:
    """This session's calls, and today's cost across sessions (``state_dir``/usage.json; none when empty)."""

    def __init__(self, state_dir: str = "", today: Callable[[], str] = _today) -> None:
        self.by_model: dict[str, ModelUsage] = {}
        self.by_kind: dict[str, ModelUsage] = {}
        self.path = Path(state_dir, USAGE_FILE) if state_dir else None
        self._today = today
        self._unsaved: dict[str, dict[str, float]] = {}  # day -> kind -> USD not yet in the file
        self._saved_today = 0.0  # today's USD in the file when last read (other sessions included)
        self._read_day = ""
        self.unpriced: set[str] = set()  # models counted at the highest known price (the user was told once)
        self.warn: Callable[[str], None] = log.warning
        self._read()

    def use_dir(self, state_dir: str) -> None:
        """Keep today's total in ``state_dir`` from now on (the face learns it with the settings)."""
        self.path = Path(state_dir, USAGE_FILE)
        self._read()

    def record(
        self, model: str, usage: Usage, prices: Mapping[str, tuple[float, float, float]], kind: str = "actions"
    ) -> float:
        """Add one call; returns its estimated cost in USD. A model without a price counts at the highest price
        gptls knows, so a budget still holds whatever model answers (the user is told once per model)."""
        known = price_of(model, prices)
        if known is None and model not in self.unpriced and prices:
            self.unpriced.add(model)
            top = highest_price(prices)
            self.warn(
                f"gptls: {model} has no price in gptls.prices: its calls count at the highest price gptls knows "
                f"(${top[0]:g} in, ${top[2]:g} out per 1M tokens) toward today's cost and gptls.dailyBudget."
            )
        cost = estimate_cost(model, usage, prices)
        self.by_model.setdefault(model, ModelUsage()).add(usage, cost)
        self.by_kind.setdefault(kind, ModelUsage()).add(usage, cost)
        day = self._unsaved.setdefault(self._today(), {})
        day[kind] = day.get(kind, 0.0) + cost
        return cost

    def today_usd(self) -> float:
        """Today's estimated cost: what the file held when read, plus this session's calls not saved yet."""
        today = self._today()
        if self._read_day != today:
            self._read()
        return self._saved_today + sum(self._unsaved.get(today, {}).values())

    @property
    def dirty(self) -> bool:
        return bool(self._unsaved)

    def save(self) -> None:
        """Add this session's unsaved costs to the file (re-read first: other sessions write it too). Small and
        atomic; callers run it off the event loop."""
        if self.path is None or not self._unsaved:
            self._unsaved.clear()
            return
        unsaved, self._unsaved = self._unsaved, {}
        days = self._load()
        for day, kinds in unsaved.items():
            entry = days.setdefault(day, {})
            for kind, cost in kinds.items():
                entry[kind] = round(float(entry.get(kind, 0.0)) + cost, 8)
        for old in sorted(days)[:-KEEP_DAYS]:
            del days[old]
        try:
            write_state(self.path, {"days": days}, indent=1)
        except OSError as exc:  # counted for this session anyway
            log.warning("could not save today's usage in %s: %s", self.path, exc)
        self._saved_today = sum(days.get(self._today(), {}).values())
        self._read_day = self._today()

    def _read(self) -> None:
        self._read_day = self._today()
        self._saved_today = sum(self._load().get(self._read_day, {}).values())

    def _load(self) -> dict[str, dict[str, float]]:
        loaded = read_state(self.path) if self.path is not None else None
        days = loaded.get("days") if isinstance(loaded, dict) else None
        if not isinstance(days, dict):
            return {}
        clean: dict[str, dict[str, float]] = {}
        for day, kinds in days.items():
            if isinstance(day, str) and isinstance(kinds, dict):
                clean[day] = {k: float(v) for k, v in kinds.items() if isinstance(v, (int, float)) and v >= 0}
        return clean

    def report(self) -> dict[str, Any]:
        return {
            "models": {model: entry.report() for model, entry in self.by_model.items()},
            "kinds": {kind: entry.report() for kind, entry in self.by_kind.items()},
            "todayUsd": round(self.today_usd(), 6),
        }

    def summary(self) -> str:
        today = f"today ~${self.today_usd():.4f}"
        if not self.by_model:
            return f"gptls: no model calls this session ({today})."
        kinds = ", ".join(f"{kind} {e.calls} (~${e.cost_usd:.4f})" for kind, e in sorted(self.by_kind.items()))
        models = "; ".join(
            f"{model}: {e.calls} calls, {e.usage.input_tokens} in ({e.usage.cached_input_tokens} cached), "
            f"{e.usage.output_tokens} out ({e.usage.reasoning_tokens} reasoning), ~${e.cost_usd:.4f}"
            for model, e in self.by_model.items()
        )
        return f"gptls usage this session: {kinds}. {models}. {today} across sessions."


def price_of(model: str, prices: Mapping[str, tuple[float, float, float]]) -> tuple[float, float, float] | None:
    """The model's price, or its family's (dated snapshots such as gpt-5-mini-2025-08-07), or None."""
    price = prices.get(model)
    if price is None:
        price = next((p for name, p in prices.items() if model.startswith(name + "-")), None)
    return price


def highest_price(prices: Mapping[str, tuple[float, float, float]]) -> tuple[float, float, float]:
    """The highest of each part of every known price: what a call to an unpriced model counts at."""
    known = list(prices.values()) or [(0.0, 0.0, 0.0)]
    return (max(p[0] for p in known), max(p[1] for p in known), max(p[2] for p in known))


def estimate_cost(model: str, usage: Usage, prices: Mapping[str, tuple[float, float, float]]) -> float:
    """USD for ``usage``; a model without a price counts at the highest price known (a cap, not a guess)."""
    per_input, per_cached, per_output = price_of(model, prices) or highest_price(prices)
    uncached = max(usage.input_tokens - usage.cached_input_tokens, 0)
    return (uncached * per_input + usage.cached_input_tokens * per_cached + usage.output_tokens * per_output) / 1e6
