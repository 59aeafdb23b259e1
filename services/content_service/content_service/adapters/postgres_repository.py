"""The content store on PostgreSQL: blobs as Fernet tokens, their holders and derivations.

Blobs are essays, at most tens of megabytes, so bytea is fine. Every blob is encrypted with
the primary key of the ring before it is written; rows stored before encryption (`encrypted`
false) are read as they are until rotate_keys has encrypted them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.types import String

from content_service.adapters.tables import content_derivations, content_holders, content_items
from content_service.domain import (
    ErasureResult,
    Provenance,
    Redact,
    SourceNotFound,
    StoredContent,
)
from huleedu_service_libs.crypto import KeyRing

# The blobs named and every blob made from them, transitively (corrected texts of texts).
_WITH_DERIVED = text(
    """
    WITH RECURSIVE tree(id) AS (
        SELECT unnest(CAST(:ids AS varchar[]))
        UNION
        SELECT d.derived_id FROM content_derivations d JOIN tree t ON d.source_id = t.id
    )
    SELECT id FROM tree
    """
).bindparams(bindparam("ids", type_=ARRAY(String(64))))


class PostgresContentRepository:
    """ContentRepository and ContentErasureRepository over content_items and its side tables."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], keyring: KeyRing) -> None:
        self._sessions = sessions
        self._keyring = keyring

    async def add_if_absent(self, content: StoredContent, provenance: Provenance) -> bool:
        """Insert unless the id exists (concurrent identical uploads both succeed), then record
        the holder and the source; SourceNotFound when the source is gone."""
        source = provenance.derived_from
        derived = source is not None and source != content.content_id
        async with self._sessions() as session, session.begin():
            # KEY SHARE locks keep a concurrent erasure from deleting the rows this blob's
            # holder and derivation are about to point at.
            if derived and not await self._key_share(session, str(source)):
                raise SourceNotFound(source)
            created = await self._insert(session, content)
            if not created and not await self._key_share(session, content.content_id):
                created = await self._insert(session, content)  # erased in between
            if provenance.holder is not None:
                await session.execute(
                    insert(content_holders)
                    .values(content_id=content.content_id, holder=provenance.holder)
                    .on_conflict_do_nothing()
                )
            if derived:
                await session.execute(
                    insert(content_derivations)
                    .values(source_id=source, derived_id=content.content_id)
                    .on_conflict_do_nothing()
                )
        return created

    async def get(self, content_id: str) -> StoredContent | None:
        """Read one blob, decrypted."""
        stmt = select(
            content_items.c.content_type, content_items.c.data, content_items.c.encrypted
        ).where(content_items.c.content_id == content_id)
        async with self._sessions() as session:
            row = (await session.execute(stmt)).first()
        return None if row is None else self._content(content_id, row)

    async def erase(
        self, holder: str, delete_ids: Sequence[str], redact_ids: Sequence[str], redact: Redact
    ) -> ErasureResult:
        """One batch's part of an erasure, in one transaction (blobs locked in id order)."""
        async with self._sessions() as session, session.begin():
            deleting = await self._with_derived(session, delete_ids)
            redacting = await self._with_derived(session, redact_ids) - deleting
            rows = await self._lock(session, deleting | redacting)
            redacted = 0
            for content_id in sorted(redacting & rows.keys()):
                content = self._content(content_id, rows[content_id])
                new = redact(content)
                if new is None:
                    deleting.add(content_id)  # not text: it cannot be redacted, so it goes
                elif new != content.data:
                    await self._rewrite(session, content_id, new)
                    redacted += 1
            deleted, kept = await self._release(session, holder, deleting & rows.keys())
        return ErasureResult(deleted=deleted, kept_for_other_holders=kept, redacted=redacted)

    # -- helpers -------------------------------------------------------------------------------

    def _content(self, content_id: str, row: Any) -> StoredContent:
        data = bytes(row.data)
        if row.encrypted:
            data = self._keyring.decrypt(data)
        return StoredContent(content_id=content_id, content_type=row.content_type, data=data)

    async def _insert(self, session: AsyncSession, content: StoredContent) -> bool:
        stmt = (
            insert(content_items)
            .values(
                content_id=content.content_id,
                content_type=content.content_type,
                size_bytes=content.size_bytes,
                data=self._keyring.encrypt(content.data),
                encrypted=True,
            )
            .on_conflict_do_nothing(index_elements=["content_id"])
            .returning(content_items.c.content_id)
        )
        return (await session.execute(stmt)).first() is not None

    @staticmethod
    async def _key_share(session: AsyncSession, content_id: str) -> bool:
        found = await session.scalar(
            select(content_items.c.content_id)
            .where(content_items.c.content_id == content_id)
            .with_for_update(key_share=True)
        )
        return found is not None

    @staticmethod
    async def _with_derived(session: AsyncSession, ids: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return set()
        return {str(r[0]) for r in await session.execute(_WITH_DERIVED, {"ids": wanted})}

    @staticmethod
    async def _lock(session: AsyncSession, ids: set[str]) -> dict[str, Any]:
        if not ids:
            return {}
        found = await session.execute(
            select(
                content_items.c.content_id,
                content_items.c.content_type,
                content_items.c.data,
                content_items.c.encrypted,
            )
            .where(content_items.c.content_id.in_(sorted(ids)))
            .order_by(content_items.c.content_id)
            .with_for_update()
        )
        return {r.content_id: r for r in found}

    async def _rewrite(self, session: AsyncSession, content_id: str, data: bytes) -> None:
        await session.execute(
            update(content_items)
            .where(content_items.c.content_id == content_id)
            .values(data=self._keyring.encrypt(data), size_bytes=len(data), encrypted=True)
        )

    @staticmethod
    async def _release(session: AsyncSession, holder: str, ids: set[str]) -> tuple[int, int]:
        """Drop `holder`'s hold; delete what nobody holds any more. (deleted, kept)."""
        if not ids:
            return 0, 0
        await session.execute(
            delete(content_holders).where(
                content_holders.c.holder == holder, content_holders.c.content_id.in_(ids)
            )
        )
        held = {
            str(r[0])
            for r in await session.execute(
                select(content_holders.c.content_id)
                .where(content_holders.c.content_id.in_(ids))
                .group_by(content_holders.c.content_id)
                .having(func.count() > 0)
            )
        }
        gone = sorted(ids - held)
        if gone:
            await session.execute(delete(content_items).where(content_items.c.content_id.in_(gone)))
        return len(gone), len(held)
