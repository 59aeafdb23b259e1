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
_CONTENT_COLUMNS = {
    "file_upload_id": None,
    "original_file_name": None,
    "text_storage_id": None,
    "raw_storage_id": None,
    "content_sha256": None,
}

# The lowest free slots, taken in one statement for a run of contents (the i-th free slot by
# index gets the i-th content); rows other transactions hold are skipped, or waited for.
_TAKE_FREE_SLOTS = f"""
WITH locked AS (
    SELECT essay_id, slot_index FROM essays
     WHERE batch_id = :batch_id AND status = :awaiting
     ORDER BY slot_index
     LIMIT :wanted
       FOR UPDATE {{lock}}
), numbered AS (
    SELECT essay_id, row_number() OVER (ORDER BY slot_index) AS n FROM locked
), incoming AS (
    SELECT * FROM unnest(
        CAST(:file_upload_ids AS text[]), CAST(:original_file_names AS text[]),
        CAST(:text_storage_ids AS text[]), CAST(:raw_storage_ids AS text[]),
        CAST(:content_sha256s AS text[])
    ) WITH ORDINALITY AS c(file_upload_id, original_file_name, text_storage_id,
                           raw_storage_id, content_sha256, n)
)
UPDATE essays AS e
   SET status = :ready, file_upload_id = c.file_upload_id,
       original_file_name = c.original_file_name, text_storage_id = c.text_storage_id,
       raw_storage_id = c.raw_storage_id, content_sha256 = c.content_sha256, updated_at = now()
  FROM numbered AS f JOIN incoming AS c ON c.n = f.n
 WHERE e.essay_id = f.essay_id
RETURNING {", ".join(f"e.{f}" for f in _ESSAY_FIELDS)}, c.n AS n
"""

# Advisory locks taken in ascending lock-id order in one statement: every transaction locking
# contents (one or a run) takes them in the same global order, so they never deadlock.
_LOCK_KEYS = """
SELECT count(pg_advisory_xact_lock(:space, h))
  FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest(CAST(:keys AS text[])) AS k ORDER BY h) AS o
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

    async def lock_contents(self, batch_id: str, contents: Sequence[ProvisionedContent]) -> None:
        """Advisory locks on each (batch, content) and (batch, file), in one global order."""
        keys = [f"{batch_id}:sha:{c.content_sha256}" for c in contents] + [
            f"{batch_id}:file:{c.file_upload_id}" for c in contents
        ]
        await self._session.execute(text(_LOCK_KEYS), {"space": CONTENT_LOCK_SPACE, "keys": keys})

    async def find_holding_many(
        self, batch_id: str, contents: Sequence[ProvisionedContent]
    ) -> list[Essay]:
        """The slots holding any of these contents or files."""
        stmt = select(*[essays.c[f] for f in _ESSAY_FIELDS]).where(
            essays.c.batch_id == batch_id,
            or_(
                essays.c.content_sha256.in_({c.content_sha256 for c in contents}),
                essays.c.file_upload_id.in_({c.file_upload_id for c in contents}),
            ),
        )
        return [_essay(row) for row in await self._session.execute(stmt)]

    async def take_free_slots(
        self, batch_id: str, contents: Sequence[ProvisionedContent]
    ) -> list[Essay]:
        """SKIP LOCKED first; when that leaves contents over while free slots remain, wait.

        Under READ COMMITTED a slot committed by another transaction between our snapshot and
        our lock is re-checked and dropped, so 'fewer rows than wanted' alone does not prove
        the batch is full. Every retry follows another transaction's commit, so this ends.
        """
        taken: list[Essay] = []
        remaining = list(contents)
        while remaining:
            for lock in ("SKIP LOCKED", ""):
                got = await self._take(batch_id, remaining, lock)
                taken += got
                remaining = remaining[len(got) :]
                if not remaining:
                    return taken
            free = await self._session.scalar(
                select(func.count()).where(
                    essays.c.batch_id == batch_id,
                    essays.c.status == EssayStatus.AWAITING_CONTENT.value,
                )
            )
            if not free:
                break
        return taken

    async def _take(
        self, batch_id: str, contents: Sequence[ProvisionedContent], lock: str
    ) -> list[Essay]:
        params = {
            "batch_id": batch_id,
            "wanted": len(contents),
            "ready": EssayStatus.READY_FOR_PROCESSING.value,
            "awaiting": EssayStatus.AWAITING_CONTENT.value,
            **{f"{name}s": [getattr(c, name) for c in contents] for name in _CONTENT_COLUMNS},
        }
        rows = (await self._session.execute(text(_TAKE_FREE_SLOTS.format(lock=lock)), params)).all()
        return [_essay(row) for row in sorted(rows, key=lambda r: r.n)]

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

    async def append_histories(self, entries: Sequence[HistoryEntry]) -> None:
        """Timeline rows in one insert."""
        if not entries:
            return
        await self._session.execute(
            insert(essay_state_history),
            [
                {
                    "essay_id": e.essay_id,
                    "batch_id": e.batch_id,
                    "from_status": e.from_status.value if e.from_status else None,
                    "to_status": e.to_status.value,
                    "event": e.event,
                    "at": e.at,
                }
                for e in entries
            ],
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
