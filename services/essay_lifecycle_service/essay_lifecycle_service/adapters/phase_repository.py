"""PostgreSQL PhaseRepository bound to one session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from common_core.enums import OperationOutcome, PhaseName, PhaseStatus
from essay_lifecycle_service.adapters.tables import batch_phases, phase_essays
from essay_lifecycle_service.domain.models import PhaseEssay, PhaseRecord


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
