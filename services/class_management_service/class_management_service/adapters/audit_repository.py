"""The student audit log in PostgreSQL: one row per operation, ids only."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, bindparam, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from class_management_service.adapters.tables import student_audit_log
from class_management_service.domain.records import AuditRecord

_log = student_audit_log
# `student_ids && :ids` (array overlap) so the GIN index on student_ids serves the lookup.
_IDS = bindparam("ids", type_=ARRAY(String(36)))
_INSERT = insert(_log)


class PostgresAuditLog:
    """AuditLog over `student_audit_log` (insert in the caller's transaction)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        *,
        actor_user_id: str,
        action: str,
        student_ids: Sequence[str],
        class_id: str | None = None,
        correlation_id: str | None = None,
    ) -> None:
        """Append one audit row in the current transaction."""
        await self._session.execute(
            _INSERT,
            {
                "actor_user_id": actor_user_id,
                "action": str(action),
                "student_ids": list(student_ids),
                "class_id": class_id,
                "correlation_id": correlation_id,
            },
        )

    async def for_students(self, student_ids: Sequence[str]) -> list[AuditRecord]:
        """Every audit row naming any of the students, oldest first."""
        if not student_ids:
            return []
        rows = await self._session.execute(
            select(
                _log.c.action,
                _log.c.actor_user_id,
                _log.c.occurred_at,
                _log.c.correlation_id,
                _log.c.class_id,
            )
            .where(_log.c.student_ids.overlap(_IDS))
            .order_by(_log.c.occurred_at, _log.c.audit_id),
            {"ids": list(student_ids)},
        )
        return [
            AuditRecord(
                action=r.action,
                actor_user_id=r.actor_user_id,
                occurred_at=r.occurred_at,
                correlation_id=r.correlation_id,
                class_id=r.class_id,
            )
            for r in rows
        ]
