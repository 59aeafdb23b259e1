"""Small statistics helpers the benchmarks share."""

from __future__ import annotations


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile of `values` (0 < pct <= 100)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(round(pct / 100 * len(ordered)) - 1, 0))]
