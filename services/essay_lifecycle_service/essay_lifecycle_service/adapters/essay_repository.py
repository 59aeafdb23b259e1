"""PostgreSQL EssayRepository bound to one session."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from common_core.enums import EssayStatus
from essay_lifecycle_service.adapters.batch_repository import CONTENT_LOCK_SPACE
from essay_lifecycle_service.adapters.tables import essay_state_history, essays
from essay_lifecycle_service.domain.models import Essay, HistoryEntry, ProvisionedContent

_ESSAY_FIELDS = (
    "essay_id",
    "batch_id",
    "slot_index",
    "status",
    "file_upload_id",
    "original_file_name",
    "text_storage_id",
    "raw_storage_id",
    "content_sha256",
    "corrected_text_storage_id",
    "spellcheck_correction_count",
    "spellcheck_word_count",
    "error_message",
    "updated_at",
)
_RETURNING = ", ".join(_ESSAY_FIELDS)
_CONTENT_COLUMNS = {
    "file_upload_id": None,
    "original_file_name": None,
    "text_storage_id": None,
    "raw_storage_id": None,
    "content_sha256": None,
}

# The lowest free slot, taken in one statement; rows other transactions hold are skipped.
_TAKE_FREE_SLOT = f"""
UPDATE essays
   SET status = :ready, file_upload_id = :file_upload_id,
       original_file_name = :original_file_name, text_storage_id = :text_storage_id,
       raw_storage_id = :raw_storage_id, content_sha256 = :content_sha256, updated_at = now()
 WHERE essay_id = (
       SELECT essay_id FROM essays
        WHERE batch_id = :batch_id AND status = :awaiting
        ORDER BY slot_index
        LIMIT 1
        FOR UPDATE {{lock}})
RETURNING {_RETURNING}
"""


def _essay(row: Any) -> Essay:
    values = {f: getattr(row, f) for f in _ESSAY_FIELDS}
    values["status"] = EssayStatus(values["status"])
    return Essay(**values)


class PostgresEssayRepository:
    """Essay slots and their history."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add_slots(self, batch_id: str, essay_ids: Sequence[str]) -> None:
        """One awaiting_content slot per id, indexed in order."""
        await self._session.execute(
            insert(essays),
            [
                {
                    "essay_id": essay_id,
                    "batch_id": batch_id,
                    "slot_index": index,
                    "status": EssayStatus.AWAITING_CONTENT.value,
                }
                for index, essay_id in enumerate(essay_ids)
            ],
        )

    async def lock_content(self, batch_id: str, content_sha256: str, file_upload_id: str) -> None:
        """Advisory locks on (batch, content) then (batch, file): same order everywhere."""
        for key in (f"{batch_id}:sha:{content_sha256}", f"{batch_id}:file:{file_upload_id}"):
            await self._session.execute(
                text("SELECT pg_advisory_xact_lock(:space, hashtext(:key))"),
                {"space": CONTENT_LOCK_SPACE, "key": key},
            )

    async def find_holding(
        self, batch_id: str, content_sha256: str, file_upload_id: str
    ) -> Essay | None:
        """The slot holding this content or file."""
        stmt = (
            select(*[essays.c[f] for f in _ESSAY_FIELDS])
            .where(
                essays.c.batch_id == batch_id,
                or_(
                    essays.c.content_sha256 == content_sha256,
                    essays.c.file_upload_id == file_upload_id,
                ),
            )
            .limit(1)
        )
        row = (await self._session.execute(stmt)).first()
        return _essay(row) if row else None

    async def take_free_slot(self, content: ProvisionedContent) -> Essay | None:
        """SKIP LOCKED first; when that finds nothing but free slots remain, wait for them.

        Under READ COMMITTED a slot committed by another transaction between our snapshot and
        our lock is re-checked and dropped, so 'nothing returned' alone does not prove the
        batch is full. Every retry follows another transaction's commit, so this terminates.
        """
        params = {
            **content.__dict__,
            "ready": EssayStatus.READY_FOR_PROCESSING.value,
            "awaiting": EssayStatus.AWAITING_CONTENT.value,
        }
        while True:
            for lock in ("SKIP LOCKED", ""):
                row = (
                    await self._session.execute(text(_TAKE_FREE_SLOT.format(lock=lock)), params)
                ).first()
                if row is not None:
                    return _essay(row)
            free = await self._session.scalar(
                select(func.count()).where(
                    essays.c.batch_id == content.batch_id,
                    essays.c.status == EssayStatus.AWAITING_CONTENT.value,
                )
            )
            if not free:
                return None

    async def find_by_file(self, batch_id: str, file_upload_id: str) -> Essay | None:
        """The slot holding a file."""
        stmt = select(*[essays.c[f] for f in _ESSAY_FIELDS]).where(
            essays.c.batch_id == batch_id, essays.c.file_upload_id == file_upload_id
        )
        row = (await self._session.execute(stmt.with_for_update())).first()
        return _essay(row) if row else None

    async def release_slot(self, essay_id: str) -> None:
        """Back to awaiting_content with no content."""
        await self._session.execute(
            update(essays)
            .where(essays.c.essay_id == essay_id)
            .values(
                status=EssayStatus.AWAITING_CONTENT.value, updated_at=func.now(), **_CONTENT_COLUMNS
            )
        )

    async def get(self, essay_id: str) -> Essay | None:
        """One essay."""
        stmt = select(*[essays.c[f] for f in _ESSAY_FIELDS]).where(essays.c.essay_id == essay_id)
        row = (await self._session.execute(stmt)).first()
        return _essay(row) if row else None

    async def get_many(self, essay_ids: Sequence[str]) -> list[Essay]:
        """Essays by id, row-locked, in id order (a stable lock order)."""
        if not essay_ids:
            return []
        stmt = (
            select(*[essays.c[f] for f in _ESSAY_FIELDS])
            .where(essays.c.essay_id.in_(list(essay_ids)))
            .order_by(essays.c.essay_id)
            .with_for_update()
        )
        return [_essay(row) for row in await self._session.execute(stmt)]

    async def list_for_batch(self, batch_id: str) -> list[Essay]:
        """The batch's slots by index."""
        stmt = (
            select(*[essays.c[f] for f in _ESSAY_FIELDS])
            .where(essays.c.batch_id == batch_id)
            .order_by(essays.c.slot_index)
        )
        return [_essay(row) for row in await self._session.execute(stmt)]

    async def set_status(self, essay_id: str, status: EssayStatus, **fields: Any) -> None:
        """Change status and result columns."""
        await self._session.execute(
            update(essays)
            .where(essays.c.essay_id == essay_id)
            .values(status=status.value, updated_at=func.now(), **fields)
        )

    async def append_history(self, entry: HistoryEntry) -> None:
        """One timeline row."""
        await self._session.execute(
            insert(essay_state_history).values(
                essay_id=entry.essay_id,
                batch_id=entry.batch_id,
                from_status=entry.from_status.value if entry.from_status else None,
                to_status=entry.to_status.value,
                event=entry.event,
                at=entry.at,
            )
        )

    async def history(self, essay_id: str) -> list[HistoryEntry]:
        """Timeline rows, oldest first."""
        stmt = (
            select(essay_state_history)
            .where(essay_state_history.c.essay_id == essay_id)
            .order_by(essay_state_history.c.id)
        )
        return [
            HistoryEntry(
                row.essay_id,
                row.batch_id,
                EssayStatus(row.from_status) if row.from_status else None,
                EssayStatus(row.to_status),
                row.event,
                row.at,
            )
            for row in await self._session.execute(stmt)
        ]
