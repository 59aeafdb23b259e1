"""The association timeout: batches the teacher left unconfirmed are confirmed automatically.

After `timeout` since the suggestions went out, every essay still pending is decided: a
suggestion with confidence >= `keep_threshold` is kept (method `timeout`), anything weaker
goes to the class's UNKNOWN student (method `unknown_student`), so the batch can proceed.
The decision is final: a confirmed batch's authors cannot be changed (confirming again is a
409 CONFLICT); the weak suggestions stay stored for the teacher to see.

A batch whose class has disappeared (it cannot get an UNKNOWN student) is confirmed with no
authors and the teacher is told why, instead of failing on every pass.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from uuid import uuid4

import structlog

from class_management_service.domain.associations.events import AssociationEvents
from class_management_service.domain.associations.ports import (
    Association,
    AssociationUnitOfWork,
    AssociationUowFactory,
    ClassBatch,
    ClassBatchStatus,
    Clock,
    Outgoing,
)
from class_management_service.domain.associations.steps import completed, essays_of
from class_management_service.domain.observations import (
    MatchingCommitted,
    OldestPending,
    Recorder,
    ignore,
)
from common_core.enums import AssociationMethod, AssociationStatus
from huleedu_service_libs.consumer import utc_now

logger = structlog.get_logger(__name__)

MONITOR_ACTOR = "system:association-timeout"
CONFIRM_ACTION = "association.confirm"


class AssociationTimeoutMonitor:
    """One pass confirms every overdue class batch, each in its own transaction, then
    exports how long the oldest batch still pending has waited.

    `check_once` is the tick of the worker's periodic job `association-timeouts`
    (huleedu_service_libs.periodic runs, times and reports it)."""

    def __init__(
        self,
        uow_factory: AssociationUowFactory,
        *,
        source_service: str,
        timeout: timedelta,
        keep_threshold: float,
        clock: Clock = utc_now,
        batch_limit: int = 100,
        record: Recorder = ignore,
    ) -> None:
        self._uow_factory = uow_factory
        self._source = source_service
        self._timeout = timeout
        self._keep = keep_threshold
        self._clock = clock
        self._limit = batch_limit
        self._record = record

    async def check_once(self) -> int:
        """Confirm the overdue batches; returns how many this pass confirmed.

        Each batch is locked with SKIP LOCKED and re-checked under the lock, so a teacher
        confirming at the same moment, or another worker's pass, is never doubled. One batch
        failing (logged) does not keep the others from being confirmed.
        """
        now = self._clock()
        cutoff = now - self._timeout
        async with self._uow_factory() as uow:
            due = await uow.class_batches.due_for_timeout(cutoff, self._limit)
        confirmed = 0
        for batch_id in due:
            try:
                outgoing = await self._confirm(batch_id, cutoff, now)
            except Exception:
                logger.exception("cms.association_timeout_failed", batch_id=batch_id)
                continue
            if outgoing:
                self._record([MatchingCommitted(tuple(outgoing))])
                confirmed += 1
        if confirmed:
            logger.info("cms.associations_confirmed_by_timeout", count=confirmed)
        async with self._uow_factory() as uow:
            oldest = await uow.class_batches.oldest_pending_since()
        age = max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
        self._record([OldestPending(age)])
        return confirmed

    async def _confirm(self, batch_id: str, cutoff: datetime, now: datetime) -> list[Outgoing]:
        async with self._uow_factory() as uow:
            batch = await uow.class_batches.lock_if_due(batch_id, cutoff)
            if batch is None:
                return []  # confirmed by the teacher meanwhile, or another worker has it
            # A fresh correlation id per decision, logged with the batch id, ties its events,
            # audit row and logs together.
            events = AssociationEvents(self._source, str(uuid4()))
            logger.info(
                "cms.association_timeout_due",
                batch_id=batch_id,
                correlation_id=events.correlation_id,
            )
            outgoing = await self._decide(uow, batch, events, now)
            await uow.add_events(outgoing)
            await uow.commit()
        return outgoing

    async def _decide(
        self,
        uow: AssociationUnitOfWork,
        batch: ClassBatch,
        events: AssociationEvents,
        now: datetime,
    ) -> list[Outgoing]:
        if await uow.classes.get(batch.user_id, batch.class_id) is None:
            return await self._confirm_without_class(uow, batch, events, now)
        essays = essays_of(await uow.associations.list_for_batch(batch.batch_id))
        decided = await self._decide_pending(uow, batch, essays)
        await uow.associations.save_many(decided)
        by_id = {r.essay_id: r for r in [*essays, *decided]}
        final = essays_of(list(by_id.values()))
        done = completed(batch, final, now, by_timeout=True)
        if done is None:  # cannot happen: every pending essay was just decided
            raise RuntimeError(f"batch {batch.batch_id} still has pending essays")
        await uow.class_batches.save(done)
        student_ids = sorted({r.student_id for r in decided if r.student_id is not None})
        await uow.audit.record(
            actor_user_id=MONITOR_ACTOR,
            action=CONFIRM_ACTION,
            student_ids=student_ids,
            class_id=batch.class_id,
            correlation_id=events.correlation_id,
        )
        return [
            *(events.updated(done, r) for r in decided),
            events.confirmed(done, final),
            events.associations_confirmed(done, final),
        ]

    @staticmethod
    async def _confirm_without_class(
        uow: AssociationUnitOfWork, batch: ClassBatch, events: AssociationEvents, now: datetime
    ) -> list[Outgoing]:
        """Confirm a batch whose class is gone with no authors, and tell the teacher why."""
        logger.warning("cms.association_timeout_class_missing", batch_id=batch.batch_id)
        gone = replace(
            batch,
            status=ClassBatchStatus.CONFIRMED,
            confirmed_at=now,
            confirmed_by_timeout=True,
        )
        await uow.class_batches.save(gone)
        return [events.confirmed(gone, []), events.class_missing(gone)]

    async def _decide_pending(
        self, uow: AssociationUnitOfWork, batch: ClassBatch, essays: list[Association]
    ) -> list[Association]:
        """Every pending essay decided: its strong suggestion kept, else the UNKNOWN student."""
        in_class = {s.student_id for s in await uow.students.roster(batch.class_id)}
        unknown_id: str | None = None
        decided: list[Association] = []
        for row in essays:
            if not row.is_pending:
                continue
            suggested = row.suggested_student_id
            if suggested is not None and suggested in in_class and row.confidence >= self._keep:
                decided.append(self._confirmed(row, suggested, AssociationMethod.TIMEOUT))
                continue
            if unknown_id is None:
                unknown, created = await uow.students.ensure_unknown_student(
                    batch.user_id, batch.class_id
                )
                unknown_id = unknown.student_id
                if created:
                    logger.info("cms.unknown_student_created", class_id=batch.class_id)
            decided.append(
                replace(
                    self._confirmed(row, unknown_id, AssociationMethod.UNKNOWN_STUDENT),
                    confidence=0.0,
                )
            )
        return decided

    @staticmethod
    def _confirmed(row: Association, student_id: str, method: AssociationMethod) -> Association:
        return replace(
            row,
            student_id=student_id,
            status=AssociationStatus.CONFIRMED,
            method=method,
            decided_by=None,
        )
