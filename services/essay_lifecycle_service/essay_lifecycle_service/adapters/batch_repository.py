"""PostgreSQL BatchRepository bound to one session."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from common_core.enums import CourseCode
from essay_lifecycle_service.adapters.tables import (
    batches,
    essays,
    pending_content,
    validation_failures,
)
from essay_lifecycle_service.domain.models import BatchTracker, ProvisionedContent

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
