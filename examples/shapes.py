"""Examples to try gptls on (README: Quick start). Each function shows one action."""

import math


def circle_area(radius: float) -> float:
    """Area of a circle of the given radius."""
    ...


# gptls: return 0.0 for an empty list instead of failing
def mean(values: list[float]) -> float:
    return sum(values) / len(values)


def pairs_summing_to(values: list[int], target: int) -> list[tuple[int, int]]:
    found = []
    for i, a in enumerate(values):
        for b in values[i + 1 :]:
            if a + b == target:
                found.append((a, b))
    return found
