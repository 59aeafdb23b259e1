"""A phase's deadline: the essays still waiting fail, and the teacher hears which ones."""

from __future__ import annotations

import structlog

from common_core.enums import NotificationCategory, OperationOutcome, PhaseName
from common_core.notifications import VARIANT, NotificationCode
from essay_lifecycle_service.domain.events import Context, Keyed
from essay_lifecycle_service.domain.models import BatchTracker, Essay, HistoryEntry
from essay_lifecycle_service.domain.phase_outcome import timeout_error
from essay_lifecycle_service.domain.phase_specs import C, PhaseSpec, R
from essay_lifecycle_service.domain.ports import UnitOfWork
from essay_lifecycle_service.domain.states import can_transition

logger = structlog.get_logger(__name__)


async def fail_waiting(
    uow: UnitOfWork,
    spec: PhaseSpec[C, R],
    batch_id: str,
    waiting: list[str],
    known: dict[str, Essay],
    timeout_seconds: int,
    ctx: Context,
) -> None:
    """Record the timeout as each waiting essay's outcome and fail the essays that can fail."""
    log = logger.bind(batch_id=batch_id, phase=spec.phase.value)
    error = timeout_error(timeout_seconds, spec.phase)
    target = spec.failed
    for essay_id in waiting:
        await uow.phases.record_outcome(
            batch_id, spec.phase, essay_id, OperationOutcome.FAILURE, None, error
        )
        essay = known.get(essay_id)
        if essay is None:
            continue
        if not can_transition(essay.status, target):
            log.warning(
                "els.illegal_transition_ignored",
                essay_id=essay_id,
                current=essay.status.value,
                target=target.value,
            )
            continue
        await uow.essays.set_status(essay_id, target, error_message=error)
        await uow.essays.append_history(
            HistoryEntry(essay_id, batch_id, essay.status, target, spec.timeout_event, ctx.now)
        )
    log.warning("els.phase_timed_out", timeout_seconds=timeout_seconds, timed_out_essay_ids=waiting)


def timed_out_notice(
    phase: PhaseName,
    batch: BatchTracker,
    timeout_seconds: int,
    waiting: list[str],
    known: dict[str, Essay],
    ctx: Context,
) -> Keyed:
    """The teacher's notification naming the essays the deadline failed (by file name)."""
    names = [(known[i].original_file_name or i) if i in known else i for i in waiting]
    return ctx.events.notification(
        batch,
        NotificationCode.PHASE_TIMED_OUT,
        {
            VARIANT: phase.value,
            "timeout_seconds": timeout_seconds,
            "essay_count": len(waiting),
            "file_names": ", ".join(names),
        },
        {
            "phase": phase.value,
            "timeout_seconds": timeout_seconds,
            "timed_out_essay_ids": waiting,
            "timed_out_file_names": names,
        },
        category=NotificationCategory.PROCESSING_RESULTS,
    )
