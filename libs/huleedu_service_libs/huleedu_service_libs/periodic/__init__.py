"""Periodic jobs: a named step the worker runs every interval, with jitter, metrics and health.

Adding a periodic job is one tick function and one registration line; see README.md.
"""

from huleedu_service_libs.periodic.runner import (
    FAILURE_RETRY_SECONDS,
    MIN_STALE_SECONDS,
    PeriodicJob,
    PeriodicRunner,
    StaleJobError,
    Tick,
    Wait,
    wait_or_stop,
)

__all__ = [
    "FAILURE_RETRY_SECONDS",
    "MIN_STALE_SECONDS",
    "PeriodicJob",
    "PeriodicRunner",
    "StaleJobError",
    "Tick",
    "Wait",
    "wait_or_stop",
]
