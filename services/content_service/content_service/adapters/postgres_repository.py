"""ContentRepository on PostgreSQL (bytea; blobs are essays, at most tens of megabytes)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from content_service.adapters.tables import content_items
from content_service.domain import StoredContent


class PostgresContentRepository:
    """Blobs in the content_items table."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add_if_absent(self, content: StoredContent) -> bool:
        """Insert unless the id exists (concurrent identical uploads both succeed)."""
        stmt = (
            insert(content_items)
            .values(
                content_id=content.content_id,
                content_type=content.content_type,
                size_bytes=content.size_bytes,
                data=content.data,
            )
            .on_conflict_do_nothing(index_elements=["content_id"])
            .returning(content_items.c.content_id)
        )
        async with self._sessions() as session, session.begin():
            return (await session.execute(stmt)).first() is not None

    async def get(self, content_id: str) -> StoredContent | None:
        """Read one blob."""
        stmt = select(content_items.c.content_type, content_items.c.data).where(
            content_items.c.content_id == content_id
        )
        async with self._sessions() as session:
            row = (await session.execute(stmt)).first()
        if row is None:
            return None
        return StoredContent(content_id=content_id, content_type=row.content_type, data=row.data)
