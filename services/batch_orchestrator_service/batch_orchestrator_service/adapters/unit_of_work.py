"""SQLAlchemy unit of work: batch rows, inbox claims and outbox events in one transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from batch_orchestrator_service.adapters.pipeline_requests import PostgresPipelineRequestLog
from batch_orchestrator_service.adapters.tables import batch_essay_slots, batch_phases, batches
from batch_orchestrator_service.domain.batch import Batch
from batch_orchestrator_service.domain.phase_state import EssayOutcome, PhaseState
from batch_orchestrator_service.domain.ports import BatchRepository, PipelineRequestLog
from common_core.enums import (
    BatchStatus,
    CourseCode,
    OperationOutcome,
    PhaseName,
    PhaseStatus,
    PipelineName,
)
from common_core.events import EssayRef
from huleedu_service_libs.db import SqlAlchemyUnitOfWork as BaseUnitOfWork


def _refs_json(refs: list[EssayRef]) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in refs]


def _outcomes_json(outcomes: dict[str, EssayOutcome]) -> dict[str, Any]:
    return {
        essay_id: {
            "outcome": o.outcome.value,
            "output_storage_id": o.output_storage_id,
            "error_message": o.error_message,
        }
        for essay_id, o in outcomes.items()
    }


def _phase_from_row(row: Any) -> PhaseState:
    return PhaseState(
        phase=PhaseName(row.phase),
        status=PhaseStatus(row.status),
        essays=[EssayRef.model_validate(e) for e in row.essays],
        outcomes={
            essay_id: EssayOutcome(
                essay_id,
                OperationOutcome(o["outcome"]),
                o.get("output_storage_id"),
                o.get("error_message"),
            )
            for essay_id, o in row.outcomes.items()
        },
        attempts=row.attempts,
    )


class PostgresBatchRepository:
    """BatchRepository bound to one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, batch: Batch) -> None:
        """Insert the batch row and its slots."""
        await self._session.execute(insert(batches).values(**self._batch_values(batch)))
        await self._session.execute(
            insert(batch_essay_slots),
            [
                {"essay_id": essay_id, "batch_id": batch.batch_id, "position": n}
                for n, essay_id in enumerate(batch.essay_ids)
            ],
        )
        await self._save_phases(batch)

    async def get(self, batch_id: str, *, for_update: bool = False) -> Batch | None:
        """The batch with slots and phases; the batch row is locked when `for_update`."""
        query = select(batches).where(batches.c.batch_id == batch_id)
        if for_update:
            query = query.with_for_update()
        row = (await self._session.execute(query)).first()
        if row is None:
            return None
        slots = await self._session.execute(
            select(batch_essay_slots.c.essay_id)
            .where(batch_essay_slots.c.batch_id == batch_id)
            .order_by(batch_essay_slots.c.position)
        )
        phase_rows = await self._session.execute(
            select(batch_phases)
            .where(batch_phases.c.batch_id == batch_id)
            .order_by(batch_phases.c.position)
        )
        phases = [_phase_from_row(p) for p in phase_rows]
        return Batch(
            batch_id=row.batch_id,
            user_id=row.user_id,
            course_code=CourseCode(row.course_code),
            essay_instructions=row.essay_instructions,
            expected_essay_count=row.expected_essay_count,
            essay_ids=list(slots.scalars()),
            class_id=row.class_id,
            status=BatchStatus(row.status),
            ready_essays=[EssayRef.model_validate(e) for e in row.ready_essays],
            missing_essay_count=row.missing_essay_count,
            validation_failure_count=row.validation_failure_count,
            requested_pipeline=PipelineName(row.requested_pipeline)
            if row.requested_pipeline
            else None,
            disabled_grammar_categories=list(row.disabled_grammar_categories),
            current_phase=PhaseName(row.current_phase) if row.current_phase else None,
            phases={p.phase: p for p in phases},
            students_confirmed_at=row.students_confirmed_at,
        )

    async def save(self, batch: Batch) -> None:
        """Update the batch row and replace its phases' rows."""
        values = self._batch_values(batch)
        values.pop("batch_id")
        await self._session.execute(
            update(batches)
            .where(batches.c.batch_id == batch.batch_id)
            .values(**values, updated_at=func.now())
        )
        await self._save_phases(batch)

    async def _save_phases(self, batch: Batch) -> None:
        names = [p.value for p in batch.phases]
        await self._session.execute(
            delete(batch_phases).where(
                batch_phases.c.batch_id == batch.batch_id, batch_phases.c.phase.not_in(names)
            )
        )
        if not batch.phases:
            return
        rows = [
            {
                "batch_id": batch.batch_id,
                "phase": state.phase.value,
                "position": n,
                "status": state.status.value,
                "essays": _refs_json(state.essays),
                "outcomes": _outcomes_json(state.outcomes),
                "attempts": state.attempts,
            }
            for n, state in enumerate(batch.phases.values())
        ]
        stmt = pg_insert(batch_phases).values(rows)
        await self._session.execute(
            stmt.on_conflict_do_update(
                index_elements=[batch_phases.c.batch_id, batch_phases.c.phase],
                set_={
                    "position": stmt.excluded.position,
                    "status": stmt.excluded.status,
                    "essays": stmt.excluded.essays,
                    "outcomes": stmt.excluded.outcomes,
                    "attempts": stmt.excluded.attempts,
                    "updated_at": func.now(),
                },
            )
        )

    @staticmethod
    def _batch_values(batch: Batch) -> dict[str, Any]:
        return {
            "batch_id": batch.batch_id,
            "user_id": batch.user_id,
            "course_code": batch.course_code.value,
            "essay_instructions": batch.essay_instructions,
            "expected_essay_count": batch.expected_essay_count,
            "class_id": batch.class_id,
            "status": batch.status.value,
            "ready_essays": _refs_json(batch.ready_essays),
            "missing_essay_count": batch.missing_essay_count,
            "validation_failure_count": batch.validation_failure_count,
            "requested_pipeline": batch.requested_pipeline.value
            if batch.requested_pipeline
            else None,
            "disabled_grammar_categories": list(batch.disabled_grammar_categories),
            "current_phase": batch.current_phase.value if batch.current_phase else None,
            "students_confirmed_at": batch.students_confirmed_at,
        }


class SqlAlchemyUnitOfWork(BaseUnitOfWork):
    """Batch rows, pipeline request keys, inbox claims and outbox events in one transaction."""

    batches: BatchRepository
    pipeline_requests: PipelineRequestLog

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.batches = PostgresBatchRepository(session)
        self.pipeline_requests = PostgresPipelineRequestLog(session)
