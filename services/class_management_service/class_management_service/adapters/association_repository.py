"""Class batches and essay-student associations in PostgreSQL (SQLAlchemy Core).

Parsed names and emails from essay headers, and the uploaded files' names (often the
student's name), are student PII: they are stored only as Fernet tokens and decrypted on read,
like the roster's names and emails.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from class_management_service.adapters.pii import PiiCipher
from class_management_service.adapters.tables import class_batches, essay_student_associations
from class_management_service.domain.associations.ports import (
    Association,
    ClassBatch,
    ClassBatchStatus,
)
from common_core.enums import AssociationMethod, AssociationStatus, CourseCode

_batches = class_batches
_rows = essay_student_associations

# Columns an upsert replaces (the key and created_at stay as first written).
_MUTABLE = (
    "essay_id",
    "text_storage_id",
    "filename_ciphertext",
    "parsed_name_ciphertext",
    "parsed_email_ciphertext",
    "extraction_confidence",
    "suggested_student_id",
    "student_id",
    "confidence",
    "method",
    "status",
    "decided_by",
)


def _batch(row: Row[Any]) -> ClassBatch:
    return ClassBatch(
        batch_id=row.batch_id,
        class_id=row.class_id,
        user_id=row.user_id,
        course_code=CourseCode(row.course_code),
        status=ClassBatchStatus(row.status),
        ready_at=row.ready_at,
        suggested_at=row.suggested_at,
        confirmed_at=row.confirmed_at,
        confirmed_by_timeout=row.confirmed_by_timeout,
    )


class PostgresClassBatches:
    """ClassBatchRepository over `class_batches`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, batch: ClassBatch) -> bool:
        """Insert the batch unless it exists; True if inserted."""
        inserted = await self._session.execute(
            pg_insert(_batches)
            .values(
                batch_id=batch.batch_id,
                class_id=batch.class_id,
                user_id=batch.user_id,
                course_code=batch.course_code.value,
                status=batch.status.value,
            )
            .on_conflict_do_nothing(index_elements=[_batches.c.batch_id])
            .returning(_batches.c.batch_id)
        )
        return inserted.first() is not None

    async def get(self, batch_id: str) -> ClassBatch | None:
        """One batch, unlocked."""
        row = (
            await self._session.execute(select(_batches).where(_batches.c.batch_id == batch_id))
        ).first()
        return _batch(row) if row is not None else None

    async def lock(self, batch_id: str) -> ClassBatch | None:
        """The batch, row-locked until commit."""
        statement = select(_batches).where(_batches.c.batch_id == batch_id).with_for_update()
        row = (await self._session.execute(statement)).first()
        return _batch(row) if row is not None else None

    async def save(self, batch: ClassBatch) -> None:
        """Write the batch's status and timestamps."""
        await self._session.execute(
            update(_batches)
            .where(_batches.c.batch_id == batch.batch_id)
            .values(
                status=batch.status.value,
                ready_at=batch.ready_at,
                suggested_at=batch.suggested_at,
                confirmed_at=batch.confirmed_at,
                confirmed_by_timeout=batch.confirmed_by_timeout,
                updated_at=func.now(),
            )
        )

    async def due_for_timeout(self, suggested_before: datetime, limit: int) -> list[str]:
        """Ids of pending batches whose suggestions went out before the cutoff, oldest first."""
        rows = await self._session.execute(
            select(_batches.c.batch_id)
            .where(
                _batches.c.status == ClassBatchStatus.PENDING_VALIDATION.value,
                _batches.c.suggested_at <= suggested_before,
            )
            .order_by(_batches.c.suggested_at)
            .limit(limit)
        )
        return [r.batch_id for r in rows]

    async def lock_if_due(self, batch_id: str, suggested_before: datetime) -> ClassBatch | None:
        """The batch locked if still pending and due; None if not, or if another holds it."""
        # Under READ COMMITTED a row changed by a transaction that commits while we wait is
        # re-checked against the WHERE clause; SKIP LOCKED means we do not even wait.
        statement = (
            select(_batches)
            .where(
                _batches.c.batch_id == batch_id,
                _batches.c.status == ClassBatchStatus.PENDING_VALIDATION.value,
                _batches.c.suggested_at <= suggested_before,
            )
            .with_for_update(skip_locked=True)
        )
        row = (await self._session.execute(statement)).first()
        return _batch(row) if row is not None else None

    async def oldest_pending_since(self) -> datetime | None:
        """When the suggestions of the longest-pending batch went out; None if none pending."""
        found: datetime | None = await self._session.scalar(
            select(func.min(_batches.c.suggested_at)).where(
                _batches.c.status == ClassBatchStatus.PENDING_VALIDATION.value
            )
        )
        return found


class PostgresAssociations:
    """AssociationRepository over `essay_student_associations` (header PII encrypted)."""

    def __init__(self, session: AsyncSession, cipher: PiiCipher) -> None:
        self._session = session
        self._cipher = cipher

    def _encrypt(self, value: str | None) -> bytes | None:
        return self._cipher.encrypt(value) if value is not None else None

    def _decrypt(self, token: bytes | None) -> str | None:
        return self._cipher.decrypt(token) if token is not None else None

    def _values(self, row: Association) -> dict[str, Any]:
        return {
            "batch_id": row.batch_id,
            "file_upload_id": row.file_upload_id,
            "essay_id": row.essay_id,
            "text_storage_id": row.text_storage_id,
            "filename_ciphertext": self._encrypt(row.filename),
            "parsed_name_ciphertext": self._encrypt(row.parsed_name),
            "parsed_email_ciphertext": self._encrypt(row.parsed_email),
            "extraction_confidence": row.extraction_confidence,
            "suggested_student_id": row.suggested_student_id,
            "student_id": row.student_id,
            "confidence": row.confidence,
            "method": row.method.value,
            "status": row.status.value,
            "decided_by": row.decided_by,
        }

    def _association(self, row: Row[Any]) -> Association:
        return Association(
            batch_id=row.batch_id,
            file_upload_id=row.file_upload_id,
            essay_id=row.essay_id,
            text_storage_id=row.text_storage_id,
            filename=self._decrypt(row.filename_ciphertext),
            parsed_name=self._decrypt(row.parsed_name_ciphertext),
            parsed_email=self._decrypt(row.parsed_email_ciphertext),
            extraction_confidence=row.extraction_confidence,
            suggested_student_id=row.suggested_student_id,
            student_id=row.student_id,
            confidence=row.confidence,
            method=AssociationMethod(row.method),
            status=AssociationStatus(row.status),
            decided_by=row.decided_by,
            updated_at=row.updated_at,
        )

    async def list_for_batch(self, batch_id: str) -> list[Association]:
        """Every row of the batch, decrypted, in essay then upload order."""
        rows = await self._session.execute(
            select(_rows)
            .where(_rows.c.batch_id == batch_id)
            .order_by(_rows.c.essay_id.asc().nulls_last(), _rows.c.file_upload_id)
        )
        return [self._association(r) for r in rows]

    async def save_many(self, rows: Sequence[Association]) -> None:
        """Insert or replace rows by (batch_id, file_upload_id), in one statement."""
        if not rows:
            return
        statement = pg_insert(_rows)
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[_rows.c.batch_id, _rows.c.file_upload_id],
                set_={
                    **{name: statement.excluded[name] for name in _MUTABLE},
                    "updated_at": func.now(),
                },
            ),
            [self._values(r) for r in rows],
        )
