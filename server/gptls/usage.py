"""Tokens and estimated cost for this session, per model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from gptls.openai.wire import Usage


@dataclass
class ModelUsage:
    calls: int = 0
    usage: Usage = field(default_factory=Usage)
    cost_usd: float = 0.0


class UsageLedger:
    def __init__(self) -> None:
        self.by_model: dict[str, ModelUsage] = {}

    def record(self, model: str, usage: Usage, prices: Mapping[str, tuple[float, float, float]]) -> float:
        """Add one call; returns its estimated cost in USD (0 when the model has no price)."""
        entry = self.by_model.setdefault(model, ModelUsage())
        entry.calls += 1
        entry.usage = entry.usage + usage
        cost = estimate_cost(model, usage, prices)
        entry.cost_usd += cost
        return cost

    def report(self) -> dict[str, dict[str, float | int]]:
        return {
            model: {
                "calls": entry.calls,
                "inputTokens": entry.usage.input_tokens,
                "cachedInputTokens": entry.usage.cached_input_tokens,
                "outputTokens": entry.usage.output_tokens,
                "reasoningTokens": entry.usage.reasoning_tokens,
                "costUsd": round(entry.cost_usd, 6),
            }
            for model, entry in self.by_model.items()
        }

    def summary(self) -> str:
        if not self.by_model:
            return "gptls: no model calls this session."
        parts = [
            f"{model}: {e.calls} calls, {e.usage.input_tokens} in ({e.usage.cached_input_tokens} cached), "
            f"{e.usage.output_tokens} out ({e.usage.reasoning_tokens} reasoning), ~${e.cost_usd:.4f}"
            for model, e in self.by_model.items()
        ]
        return "gptls usage this session: " + "; ".join(parts)


def estimate_cost(model: str, usage: Usage, prices: Mapping[str, tuple[float, float, float]]) -> float:
    price = prices.get(model)
    if price is None:
        # Dated snapshots (gpt-5-mini-2025-08-07) cost what their family costs.
        price = next((p for name, p in prices.items() if model.startswith(name + "-")), None)
    if price is None:
        return 0.0
    per_input, per_cached, per_output = price
    uncached = max(usage.input_tokens - usage.cached_input_tokens, 0)
    return (uncached * per_input + usage.cached_input_tokens * per_cached + usage.output_tokens * per_output) / 1e6
