"""Business metrics of the Essay Lifecycle Service (documentation/metrics.md), recorded from
the steps' observations after their transaction committed."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter, Gauge, Histogram

from common_core.enums import PhaseName
from essay_lifecycle_service.domain.observations import (
    BatchReady,
    Observation,
    PhaseEnded,
    PhasesPastDeadline,
)

__all__ = [
    "BATCHES_READY",
    "PHASES_PAST_DEADLINE",
    "PHASE_DURATION",
    "UPLOAD_TO_READY",
    "record",
]

# Minutes-scale buckets: a batch is usually uploaded in one go, a phase runs for seconds to
# minutes, and the defaults (15 min readiness, 30 min phase deadline) bound the long tail.
_DURATION_BUCKETS = (0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600)

BATCHES_READY = Counter(
    "huleedu_batches_ready_total",
    "Batches announced ready for a pipeline, by whether some slots stayed empty",
    ["partial"],
)
UPLOAD_TO_READY = Histogram(
    "huleedu_batch_upload_to_ready_seconds",
    "Time from a batch's first accepted file to its readiness",
    buckets=_DURATION_BUCKETS,
)
PHASE_DURATION = Histogram(
    "huleedu_pipeline_phase_duration_seconds",
    "Time a batch phase ran, from its command to its last essay's result (or deadline)",
    ["phase"],
    buckets=_DURATION_BUCKETS,
)
PHASES_PAST_DEADLINE = Gauge(
    "huleedu_phases_past_deadline",
    "Phases still running past their deadline after the monitor's last pass",
    ["phase"],
)
# Every series of these bounded labels exists from the start (rate() needs the zero).
for _partial in ("true", "false"):
    BATCHES_READY.labels(_partial)
for _phase in PhaseName:
    PHASE_DURATION.labels(_phase.value)
    PHASES_PAST_DEADLINE.labels(_phase.value)


def record(observations: Sequence[Observation]) -> None:
    """Record what a committed step observed."""
    for seen in observations:
        if isinstance(seen, BatchReady):
            BATCHES_READY.labels("true" if seen.partial else "false").inc()
            if seen.upload_to_ready_seconds is not None:
                UPLOAD_TO_READY.observe(max(seen.upload_to_ready_seconds, 0.0))
        elif isinstance(seen, PhaseEnded):
            PHASE_DURATION.labels(seen.phase.value).observe(max(seen.duration_seconds, 0.0))
        elif isinstance(seen, PhasesPastDeadline):
            PHASES_PAST_DEADLINE.labels(seen.phase.value).set(seen.count)
