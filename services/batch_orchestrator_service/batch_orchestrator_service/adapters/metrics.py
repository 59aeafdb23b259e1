"""Business metrics of the Batch Orchestrator (documentation/metrics.md), recorded from the
use cases' observations after the transaction that made the change committed, so a redelivered
event never counts twice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from prometheus_client import Counter, Histogram

from batch_orchestrator_service.domain.observations import (
    BatchCompleted,
    BatchRegistered,
    Observation,
)
from common_core.enums import BatchStatus, CourseCode

__all__ = [
    "BATCHES_COMPLETED",
    "BATCHES_REGISTERED",
    "READY_TO_RESULTS",
    "batch_completed",
    "batch_registered",
    "record",
]

BATCHES_REGISTERED = Counter(
    "huleedu_batches_registered_total", "Batches registered by teachers, by course", ["course"]
)
BATCHES_COMPLETED = Counter(
    "huleedu_batches_completed_total",
    "Pipelines finished, by outcome (completed, completed_with_failures, failed)",
    ["outcome"],
)
READY_TO_RESULTS = Histogram(
    "huleedu_batch_ready_to_results_seconds",
    "Time from a teacher's accepted pipeline request to the pipeline's results",
    buckets=(1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 7200),
)
# Every series of these bounded labels exists from the start (rate() needs the zero).
for _course in CourseCode:
    BATCHES_REGISTERED.labels(_course.value)
for _outcome in (BatchStatus.COMPLETED, BatchStatus.COMPLETED_WITH_FAILURES, BatchStatus.FAILED):
    BATCHES_COMPLETED.labels(_outcome.value)


def batch_registered(course: CourseCode) -> None:
    """One batch registered for `course`."""
    BATCHES_REGISTERED.labels(course.value).inc()


def batch_completed(outcome: BatchStatus, seconds_since_request: float | None) -> None:
    """One pipeline finished; its time since the request when known (first runs only)."""
    BATCHES_COMPLETED.labels(outcome.value).inc()
    if seconds_since_request is not None:
        READY_TO_RESULTS.observe(max(seconds_since_request, 0.0))


def record(observations: Sequence[Observation]) -> None:
    """Record what a committed use case observed."""
    for seen in observations:
        if isinstance(seen, BatchRegistered):
            batch_registered(seen.course)
        elif isinstance(seen, BatchCompleted):
            since = (
                (datetime.now(UTC) - seen.requested_at).total_seconds()
                if seen.requested_at
                else None
            )
            batch_completed(seen.final_status, since)
