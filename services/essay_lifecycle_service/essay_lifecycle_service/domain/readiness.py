"""When a batch is ready: every slot filled or accounted for, or the deadline passed.

Never while accepted essays of an upload already seen are still on their way (the upload's
accepted and rejected events travel on different topics), and never with no essay at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from common_core.events import EssayRef
from essay_lifecycle_service.domain.models import BatchTracker, Essay


@dataclass(frozen=True)
class Readiness:
    """The decision to announce a batch: its ready essays and, if partial, the missing slots."""

    ready_essays: list[EssayRef]
    validation_failure_count: int
    is_partial: bool
    missing_essay_ids: list[str] = field(default_factory=list)


def decide_readiness(
    batch: BatchTracker,
    essays: Sequence[Essay],
    validation_failures: int,
    now: datetime,
    accepted_in_flight: int = 0,
) -> Readiness | None:
    """Readiness to announce now, or None (not ready yet, or already announced)."""
    if batch.is_ready and not batch.reannounce_pending:
        return None
    if accepted_in_flight > 0:
        return None
    current = current_readiness(batch, essays, validation_failures)
    if not current.ready_essays:
        return None
    if batch.is_ready or not current.is_partial or now >= batch.readiness_deadline:
        return current
    return None


def current_readiness(
    batch: BatchTracker, essays: Sequence[Essay], validation_failures: int
) -> Readiness:
    """The batch as it stands: its essays, and the empty slots no failure accounts for."""
    ordered = sorted(essays, key=lambda e: e.slot_index)
    assigned = [e for e in ordered if e.has_content]
    if len(assigned) + validation_failures >= batch.expected_count:
        return Readiness([e.ref() for e in assigned], validation_failures, is_partial=False)
    return Readiness(
        [e.ref() for e in assigned],
        validation_failures,
        is_partial=True,
        missing_essay_ids=[e.essay_id for e in ordered if not e.has_content],
    )
