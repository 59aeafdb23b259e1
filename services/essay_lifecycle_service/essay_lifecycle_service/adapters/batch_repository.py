"""PostgreSQL BatchRepository and PhaseRepository bound to one session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from common_core.enums import CourseCode, OperationOutcome, PhaseName, PhaseStatus
from essay_lifecycle_service.adapters.tables import (
    batch_phases,
    batches,
    essays,
    pending_content,
    phase_essays,
    validation_failures,
)
from essay_lifecycle_service.domain.models import (
    BatchTracker,
    PhaseEssay,
    PhaseRecord,
    ProvisionedContent,
)

# Advisory lock namespaces (first key of pg_advisory_xact_lock(int, int)).
BATCH_LOCK_SPACE = 6001
CONTENT_LOCK_SPACE = 6002


def _batch(row: Any) -> BatchTracker:
    return BatchTracker(
        batch_id=row.batch_id,
        user_id=row.user_id,
        course_code=CourseCode(row.course_code),
        expected_count=row.expected_count,
        readiness_deadline=row.readiness_deadline,
        class_id=row.class_id,
        ready_at=row.ready_at,
        is_partial=row.is_partial,
        reannounce_pending=row.reannounce_pending,
    )


class PostgresBatchRepository:
    """Batch trackers, validation failures and parked content."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def lock_exclusive(self, batch_id: str) -> None:
        """Transaction-scoped exclusive advisory lock on the batch id."""
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock(:space, hashtext(:batch_id))"),
            {"space": BATCH_LOCK_SPACE, "batch_id": batch_id},
        )

    async def lock_shared(self, batch_id: str) -> None:
        """Transaction-scoped shared advisory lock on the batch id."""
        await self._session.execute(
            text("SELECT pg_advisory_xact_lock_shared(:space, hashtext(:batch_id))"),
            {"space": BATCH_LOCK_SPACE, "batch_id": batch_id},
        )

    async def get(self, batch_id: str) -> BatchTracker | None:
        """The tracker as committed."""
        row = (
            await self._session.execute(select(batches).where(batches.c.batch_id == batch_id))
        ).first()
        return _batch(row) if row else None

    async def get_for_update(self, batch_id: str) -> BatchTracker | None:
        """The tracker, row-locked until commit."""
        stmt = select(batches).where(batches.c.batch_id == batch_id).with_for_update()
        row = (await self._session.execute(stmt)).first()
        return _batch(row) if row else None

    async def add(self, batch: BatchTracker) -> bool:
        """Insert unless the batch exists."""
        stmt = (
            insert(batches)
            .values(
                batch_id=batch.batch_id,
                user_id=batch.user_id,
                course_code=batch.course_code.value,
                class_id=batch.class_id,
                expected_count=batch.expected_count,
                readiness_deadline=batch.readiness_deadline,
            )
            .on_conflict_do_nothing()
            .returning(batches.c.batch_id)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def mark_ready(self, batch_id: str, at: datetime, is_partial: bool) -> None:
        """Remember the announcement."""
        await self._session.execute(
            update(batches)
            .where(batches.c.batch_id == batch_id)
            .values(ready_at=at, is_partial=is_partial, reannounce_pending=False)
        )

    async def owe_reannouncement(self, batch_id: str) -> None:
        """The ready batch's essays changed: readiness must be announced anew."""
        await self._session.execute(
            update(batches).where(batches.c.batch_id == batch_id).values(reannounce_pending=True)
        )

    async def add_validation_failure(
        self, batch_id: str, file_upload_id: str, original_file_name: str, error_code: str
    ) -> bool:
        """Count a failed file once."""
        stmt = (
            insert(validation_failures)
            .values(
                batch_id=batch_id,
                file_upload_id=file_upload_id,
                original_file_name=original_file_name,
                error_code=error_code,
            )
            .on_conflict_do_nothing()
            .returning(validation_failures.c.file_upload_id)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def count_validation_failures(self, batch_id: str) -> int:
        """Failed files of the batch."""
        stmt = select(func.count()).where(validation_failures.c.batch_id == batch_id)
        return int(await self._session.scalar(stmt) or 0)

    async def add_pending(self, content: ProvisionedContent) -> bool:
        """Park content until its batch is registered."""
        stmt = (
            insert(pending_content)
            .values(**content.__dict__)
            .on_conflict_do_nothing()
            .returning(pending_content.c.file_upload_id)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def take_pending(self, batch_id: str) -> list[ProvisionedContent]:
        """Delete and return the batch's parked content, oldest first."""
        stmt = (
            delete(pending_content)
            .where(pending_content.c.batch_id == batch_id)
            .returning(
                *[pending_content.c[f] for f in _CONTENT_FIELDS], pending_content.c.received_at
            )
        )
        rows = sorted(
            (await self._session.execute(stmt)).all(),
            key=lambda r: (r.received_at, r.file_upload_id),
        )
        return [ProvisionedContent(**{f: getattr(r, f) for f in _CONTENT_FIELDS}) for r in rows]

    async def remove_pending(self, batch_id: str, file_upload_id: str) -> bool:
        """Forget parked content."""
        stmt = (
            delete(pending_content)
            .where(
                pending_content.c.batch_id == batch_id,
                pending_content.c.file_upload_id == file_upload_id,
            )
            .returning(pending_content.c.file_upload_id)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def overdue(self, now: datetime, limit: int) -> list[str]:
        """Batches past their deadline, not announced and holding content, oldest deadline first.

        Overdue batches with no content cannot be announced; left in the result they would fill
        the limit on every pass and starve announceable batches behind them.
        """
        has_content = (
            select(essays.c.essay_id)
            .where(essays.c.batch_id == batches.c.batch_id, essays.c.text_storage_id.is_not(None))
            .exists()
        )
        stmt = (
            select(batches.c.batch_id)
            .where(batches.c.ready_at.is_(None), batches.c.readiness_deadline <= now, has_content)
            .order_by(batches.c.readiness_deadline)
            .limit(limit)
        )
        return list((await self._session.execute(stmt)).scalars())


_CONTENT_FIELDS = (
    "batch_id",
    "file_upload_id",
    "original_file_name",
    "text_storage_id",
    "raw_storage_id",
    "content_sha256",
)


class PostgresPhaseRepository:
    """Batch phases and their essays' outcomes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def start(
        self,
        batch_id: str,
        phase: PhaseName,
        essays: Sequence[PhaseEssay],
        at: datetime,
        deadline: datetime,
    ) -> None:
        """Upsert the phase in progress (with its deadline) and replace its essays."""
        stmt = insert(batch_phases).values(
            batch_id=batch_id,
            phase=phase.value,
            status=PhaseStatus.IN_PROGRESS.value,
            started_at=at,
            deadline=deadline,
        )
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=["batch_id", "phase"],
                set_={
                    "status": stmt.excluded.status,
                    "started_at": at,
                    "deadline": deadline,
                    "finished_at": None,
                },
            )
        )
        await self._session.execute(
            delete(phase_essays).where(
                phase_essays.c.batch_id == batch_id, phase_essays.c.phase == phase.value
            )
        )
        if essays:
            await self._session.execute(
                insert(phase_essays),
                [
                    {
                        "batch_id": batch_id,
                        "phase": phase.value,
                        "essay_id": e.essay_id,
                        "outcome": e.outcome.value if e.outcome else None,
                        "output_storage_id": e.output_storage_id,
                        "error_message": e.error_message,
                    }
                    for e in essays
                ],
            )

    async def lock(self, batch_id: str, phase: PhaseName) -> PhaseRecord | None:
        """The phase row, locked until commit."""
        stmt = (
            select(batch_phases.c.status, batch_phases.c.started_at, batch_phases.c.deadline)
            .where(batch_phases.c.batch_id == batch_id, batch_phases.c.phase == phase.value)
            .with_for_update()
        )
        row = (await self._session.execute(stmt)).first()
        if row is None:
            return None
        return PhaseRecord(batch_id, phase, PhaseStatus(row.status), row.started_at, row.deadline)

    async def record_outcome(
        self,
        batch_id: str,
        phase: PhaseName,
        essay_id: str,
        outcome: OperationOutcome,
        output_storage_id: str | None,
        error_message: str | None,
    ) -> bool:
        """Store the outcome unless the essay already has one."""
        stmt = (
            update(phase_essays)
            .where(
                phase_essays.c.batch_id == batch_id,
                phase_essays.c.phase == phase.value,
                phase_essays.c.essay_id == essay_id,
                phase_essays.c.outcome.is_(None),
            )
            .values(
                outcome=outcome.value,
                output_storage_id=output_storage_id,
                error_message=error_message,
            )
            .returning(phase_essays.c.essay_id)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def essays(self, batch_id: str, phase: PhaseName) -> list[PhaseEssay]:
        """The phase's essays in id order."""
        stmt = (
            select(phase_essays)
            .where(phase_essays.c.batch_id == batch_id, phase_essays.c.phase == phase.value)
            .order_by(phase_essays.c.essay_id)
        )
        return [
            PhaseEssay(
                r.essay_id,
                OperationOutcome(r.outcome) if r.outcome else None,
                r.output_storage_id,
                r.error_message,
            )
            for r in await self._session.execute(stmt)
        ]

    async def finish(
        self, batch_id: str, phase: PhaseName, status: PhaseStatus, at: datetime
    ) -> None:
        """Close the phase."""
        await self._session.execute(
            update(batch_phases)
            .where(batch_phases.c.batch_id == batch_id, batch_phases.c.phase == phase.value)
            .values(status=status.value, finished_at=at)
        )

    async def any_started(self, batch_id: str) -> bool:
        """True once any phase of the batch has started (its essay set is then fixed)."""
        stmt = select(batch_phases.c.phase).where(batch_phases.c.batch_id == batch_id).limit(1)
        return (await self._session.execute(stmt)).first() is not None

    async def overdue(self, phase: PhaseName, now: datetime, limit: int) -> list[str]:
        """Batches whose phase is running past its deadline, oldest deadline first.

        Reads without locking; each phase is re-checked under its row lock before it is ended.
        """
        stmt = (
            select(batch_phases.c.batch_id)
            .where(
                batch_phases.c.phase == phase.value,
                batch_phases.c.status == PhaseStatus.IN_PROGRESS.value,
                batch_phases.c.deadline <= now,
            )
            .order_by(batch_phases.c.deadline, batch_phases.c.batch_id)
            .limit(limit)
        )
        return list((await self._session.execute(stmt)).scalars())
