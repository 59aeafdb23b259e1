"""Class Management's metrics: the platform contract's (documentation/metrics.md) and author
matching's own detail, recorded from the domain's observations after their commit."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter, Gauge

from class_management_service.domain.observations import (
    MatchingCommitted,
    Observation,
    OldestPending,
    StudentsImported,
)
from common_core.events import (
    BatchAuthorMatchesSuggestedV1,
    EssayStudentAssociationUpdatedV1,
    StudentAssociationsConfirmedV1,
)
from huleedu_service_libs.consumer import Outgoing

__all__ = [
    "ASSOCIATIONS_CONFIRMED",
    "BATCHES_CONFIRMED",
    "CONFIRMATIONS",
    "PENDING_OLDEST_AGE",
    "STUDENTS_IMPORTED",
    "SUGGESTIONS",
    "count_committed",
    "record",
]

# -- the platform contract -----------------------------------------------------------------
STUDENTS_IMPORTED = Counter(
    "huleedu_students_imported_total", "Students created by roster imports (new students only)"
)
ASSOCIATIONS_CONFIRMED = Counter(
    "huleedu_associations_confirmed_total",
    "Essay authors confirmed, by who decided (human: the teacher; timeout: the 24 h monitor)",
    ["method"],
)
PENDING_OLDEST_AGE = Gauge(
    "huleedu_associations_pending_oldest_age_seconds",
    "Age of the oldest class batch whose suggested authors await the teacher (0: none)",
)
# Every series of these bounded labels exists from the start (rate() needs the zero).
for _method in ("human", "timeout"):
    ASSOCIATIONS_CONFIRMED.labels(_method)

# -- author matching's own detail ----------------------------------------------------------
SUGGESTIONS = Counter(
    "huleedu_cms_author_suggestions_total",
    "Essay author suggestions announced, by method and whether a student was suggested.",
    ["method", "outcome"],
)
CONFIRMATIONS = Counter(
    "huleedu_cms_association_confirmations_total",
    "Essay authors decided (teacher, accepted suggestion, timeout, unknown student), by method.",
    ["method"],
)
BATCHES_CONFIRMED = Counter(
    "huleedu_cms_class_batches_confirmed_total",
    "Class batches whose authors were all confirmed, by who finished them.",
    ["trigger"],
)


def record(observations: Sequence[Observation]) -> None:
    """Export what a committed transaction (or a finished monitor pass) observed."""
    for observation in observations:
        if isinstance(observation, StudentsImported):
            STUDENTS_IMPORTED.inc(observation.count)
        elif isinstance(observation, MatchingCommitted):
            count_committed(observation.outgoing)
        elif isinstance(observation, OldestPending):
            PENDING_OLDEST_AGE.set(observation.age_seconds)


def count_committed(outgoing: Sequence[Outgoing]) -> None:
    """Count the business events of a committed transaction."""
    for envelope, _key in outgoing:
        data = envelope.data
        if isinstance(data, BatchAuthorMatchesSuggestedV1):
            for s in data.suggestions:
                outcome = "suggested" if s.student_id is not None else "unmatched"
                SUGGESTIONS.labels(s.method.value, outcome).inc()
        elif isinstance(data, EssayStudentAssociationUpdatedV1):
            CONFIRMATIONS.labels(data.method.value).inc()
        elif isinstance(data, StudentAssociationsConfirmedV1):
            trigger = "timeout" if data.confirmed_by_timeout else "teacher"
            BATCHES_CONFIRMED.labels(trigger if data.associations else "no_essays").inc()
            method = "timeout" if data.confirmed_by_timeout else "human"
            ASSOCIATIONS_CONFIRMED.labels(method).inc(len(data.associations))
