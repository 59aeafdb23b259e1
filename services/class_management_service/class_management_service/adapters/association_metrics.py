"""Business metrics of author matching, counted from events after their transaction commits."""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter

from class_management_service.adapters.metrics import ASSOCIATIONS_CONFIRMED
from class_management_service.domain.associations.ports import Outgoing
from common_core.events import (
    BatchAuthorMatchesSuggestedV1,
    EssayStudentAssociationUpdatedV1,
    StudentAssociationsConfirmedV1,
)

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
