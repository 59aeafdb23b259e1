"""PipelineRequestLog on PostgreSQL: one row per (user, batch, idempotency key)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from batch_orchestrator_service.adapters.tables import pipeline_requests
from batch_orchestrator_service.domain.pipeline_requests import PipelineRequestRecord
from common_core.enums import PipelineName, PipelineRequestOutcome


def _record_from_row(row: Any) -> PipelineRequestRecord:
    return PipelineRequestRecord(
        user_id=row.user_id,
        batch_id=row.batch_id,
        idempotency_key=row.idempotency_key,
        pipeline=PipelineName(row.pipeline),
        outcome=PipelineRequestOutcome(row.outcome),
        request_id=row.request_id,
        event_id=row.event_id,
        correlation_id=row.correlation_id,
        reason_code=row.reason_code,
        reason=row.reason,
        handled_at=row.handled_at,
    )


class PostgresPipelineRequestLog:
    """PipelineRequestLog bound to one session (the unit of work's transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, entry: PipelineRequestRecord) -> bool:
        """Insert unless the key is taken; a concurrent insert of the same key waits, then loses."""
        stmt = (
            pg_insert(pipeline_requests)
            .values(
                user_id=entry.user_id,
                batch_id=entry.batch_id,
                idempotency_key=entry.idempotency_key,
                pipeline=entry.pipeline.value,
                outcome=entry.outcome.value,
                request_id=entry.request_id,
                event_id=entry.event_id,
                correlation_id=entry.correlation_id,
                reason_code=entry.reason_code,
                reason=entry.reason,
            )
            .on_conflict_do_nothing()
            .returning(pipeline_requests.c.idempotency_key)
        )
        return (await self._session.execute(stmt)).first() is not None

    async def find(
        self, user_id: str, batch_id: str, idempotency_key: str
    ) -> PipelineRequestRecord | None:
        """The row for the key, or None."""
        row = (
            await self._session.execute(
                select(pipeline_requests).where(
                    pipeline_requests.c.user_id == user_id,
                    pipeline_requests.c.batch_id == batch_id,
                    pipeline_requests.c.idempotency_key == idempotency_key,
                )
            )
        ).first()
        return _record_from_row(row) if row is not None else None

    async def accepted_at(self, batch_id: str) -> datetime | None:
        """When the batch's first accepted pipeline request was handled, or None."""
        statement = select(func.min(pipeline_requests.c.handled_at)).where(
            pipeline_requests.c.batch_id == batch_id,
            pipeline_requests.c.outcome == PipelineRequestOutcome.ACCEPTED.value,
        )
        found: datetime | None = await self._session.scalar(statement)
        return found
