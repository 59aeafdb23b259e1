"""Readiness announcements: once when a batch becomes ready, anew when a late essay joins it.

Every decision is taken under the batch's row lock, after this transaction's own arrival was
written, so of two concurrent events the later one sees both and exactly one announces.
"""

from __future__ import annotations

import structlog

from common_core.notifications import NotificationCode, NotificationParams
from essay_lifecycle_service.domain.events import Context, Keyed
from essay_lifecycle_service.domain.models import BatchTracker, UploadProgress
from essay_lifecycle_service.domain.observations import BatchReady
from essay_lifecycle_service.domain.ports import UnitOfWork
from essay_lifecycle_service.domain.readiness import Readiness, decide_readiness

logger = structlog.get_logger(__name__)


async def check_readiness(uow: UnitOfWork, batch_id: str, ctx: Context) -> list[Keyed]:
    """Announce the batch if it just became ready (or owes a new announcement)."""
    batch = await uow.batches.get_for_update(batch_id)
    if batch is None:
        return []
    essays = await uow.essays.list_for_batch(batch_id)
    failures = await uow.batches.count_validation_failures(batch_id)
    in_flight = await uow.uploads.accepted_in_flight(batch_id)
    completed = await uow.uploads.complete_uploads(batch_id)
    readiness = decide_readiness(batch, essays, failures, ctx.now, in_flight)
    if readiness is not None:
        return await _announce(uow, batch, readiness, ctx)
    stranded = not batch.is_ready and in_flight == 0 and not any(e.has_content for e in essays)
    if completed and stranded:
        return [_nothing_usable(batch, completed, failures, ctx)]
    return []


async def _announce(
    uow: UnitOfWork, batch: BatchTracker, readiness: Readiness, ctx: Context
) -> list[Keyed]:
    again = batch.is_ready
    await uow.batches.mark_ready(batch.batch_id, batch.ready_at or ctx.now, readiness.is_partial)
    if not again:
        first = await uow.uploads.first_accepted_at(batch.batch_id)
        seconds = (ctx.now - first).total_seconds() if first is not None else None
        ctx.observations.append(BatchReady(readiness.is_partial, seconds))
    ready_count = len(readiness.ready_essays)
    logger.info(
        "els.batch_ready",
        batch_id=batch.batch_id,
        ready=ready_count,
        validation_failures=readiness.validation_failure_count,
        is_partial=readiness.is_partial,
        again=again,
    )
    code = NotificationCode.BATCH_ESSAYS_READY
    if again:
        code = NotificationCode.BATCH_ESSAYS_UPDATED
    elif readiness.is_partial:
        code = NotificationCode.BATCH_ESSAYS_PARTIALLY_READY
    params: NotificationParams = {
        "ready_count": ready_count,
        "expected_count": batch.expected_count,
    }
    return [
        ctx.events.batch_ready(batch, readiness),
        ctx.events.notification(
            batch,
            code,
            params,
            {
                "ready_count": ready_count,
                "validation_failure_count": readiness.validation_failure_count,
                "rejected_count": readiness.validation_failure_count,
                "missing_essay_ids": readiness.missing_essay_ids,
                "is_partial": readiness.is_partial,
            },
            action_required=readiness.is_partial,
        ),
    ]


def _nothing_usable(
    batch: BatchTracker, completed: list[UploadProgress], failures: int, ctx: Context
) -> Keyed:
    """The uploads so far gave the batch no essay: it waits for the teacher to upload again."""
    rejected = sum(u.rejected_count for u in completed)
    logger.warning(
        "els.no_usable_essays",
        batch_id=batch.batch_id,
        uploads=len(completed),
        rejected_in_uploads=rejected,
        validation_failures=failures,
    )
    return ctx.events.notification(
        batch,
        NotificationCode.BATCH_NO_USABLE_ESSAYS,
        {"rejected_count": rejected},
        {
            "rejected_count": failures,
            "upload_rejected_count": rejected,
            "upload_ids": [u.upload_id for u in completed],
        },
        action_required=True,
    )
