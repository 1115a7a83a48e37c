"""The benchmark's arithmetic: per-round ratios, their median and spread, and verdicts."""

import math
import statistics
from collections.abc import Sequence


def ratios(numerators: Sequence[float], denominators: Sequence[float]) -> list[float]:
    """One ratio per round: each round's page time over the same round's floor time."""
    if len(numerators) != len(denominators):
        raise ValueError("Each round needs both of its timings.")
    return [top / bottom for top, bottom in zip(numerators, denominators, strict=True)]


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: the smallest value with at least `share` of them at or
    below it (so the p95 of fewer than 20 rounds is their largest)."""
    if not values:
        raise ValueError("No values.")
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def summary(values: Sequence[float]) -> dict[str, float]:
    """Median, p95, and the spread as the lowest and highest round."""
    return {
        "median": statistics.median(values),
        "p95": percentile(values, 0.95),
        "min": min(values),
        "max": max(values),
        "rounds": len(values),
    }


def verdict(measured: float | None, target: float, *, at_least: bool = False) -> str:
    """PASS when the measurement meets its target (at most, or at least), MISS when not, and
    "n/a" when there was nothing to measure."""
    if measured is None:
        return "n/a"
    met = measured >= target if at_least else measured <= target
    return "PASS" if met else "MISS"
