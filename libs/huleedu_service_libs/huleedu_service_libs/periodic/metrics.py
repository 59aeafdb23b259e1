"""Periodic job metrics: how long each tick took, how it ended, and when one last succeeded."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = ["OUTCOMES", "JobMetrics"]

# `periodic_job`, not `job`: Prometheus scrapes with honor_labels, so a series' own `job`
# label would replace the scrape job's and move it out of `{job="huleedu"}`.
_LABELS = ["service", "periodic_job"]
OUTCOMES = ("success", "failure")

DURATION = Histogram(
    "huleedu_periodic_job_duration_seconds",
    "Duration of one tick of a periodic job, whatever its outcome",
    _LABELS,
    # Ticks range from a query finding nothing (ms) to a full batch of decisions (minutes).
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0),
)
RUNS = Counter(
    "huleedu_periodic_job_runs_total",
    "Ticks of a periodic job, by outcome (success, failure: the tick raised)",
    [*_LABELS, "outcome"],
)
LAST_SUCCESS = Gauge(
    "huleedu_periodic_job_last_success_timestamp_seconds",
    "Unix time a periodic job's tick last succeeded (0 before the first)",
    _LABELS,
)


class JobMetrics:
    """The metric children of one periodic job; every series exists from the start."""

    def __init__(self, service: str, job: str) -> None:
        self._duration = DURATION.labels(service, job)
        self._runs = {outcome: RUNS.labels(service, job, outcome) for outcome in OUTCOMES}
        self._last_success = LAST_SUCCESS.labels(service, job)

    def succeeded(self, duration_seconds: float, at_timestamp: float) -> None:
        """One tick returned."""
        self._duration.observe(duration_seconds)
        self._runs["success"].inc()
        self._last_success.set(at_timestamp)

    def failed(self, duration_seconds: float) -> None:
        """One tick raised."""
        self._duration.observe(duration_seconds)
        self._runs["failure"].inc()
