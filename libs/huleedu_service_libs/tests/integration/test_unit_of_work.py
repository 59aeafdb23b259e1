"""SqlAlchemyUnitOfWork on real PostgreSQL: rows, inbox and outbox commit or vanish together."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, MetaData, String, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from huleedu_service_libs.db import SqlAlchemyUnitOfWork, event_outbox, processed_events
from huleedu_service_libs.db.engine import make_session_factory
from huleedu_service_libs.db.migration_helpers import create_shared_tables
from huleedu_testing import random_id
from huleedu_testing.outbox_helpers import notification

pytestmark = pytest.mark.integration

metadata = MetaData()
notes = Table("notes", metadata, Column("note_id", String, primary_key=True))


class NoteRepository:
    """A one-table repository bound to the unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, note_id: str) -> None:
        await self._session.execute(insert(notes).values(note_id=note_id))


class NotesUnitOfWork(SqlAlchemyUnitOfWork):
    notes: NoteRepository

    def _bind_repositories(self, session: AsyncSession) -> None:
        self.notes = NoteRepository(session)


@pytest.fixture
async def engine(pg_engine: AsyncEngine) -> AsyncEngine:
    async with pg_engine.begin() as conn:
        await create_shared_tables(conn)
        await conn.run_sync(metadata.create_all)
    return pg_engine


async def _counts(engine: AsyncEngine) -> tuple[int, int, int]:
    async def count(conn: AsyncConnection, table: Table) -> int:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)

    async with engine.connect() as conn:
        return (
            await count(conn, notes),
            await count(conn, event_outbox),
            await count(conn, processed_events),
        )


async def _write(uow: NotesUnitOfWork) -> None:
    event = notification(random_id(), 1)
    assert await uow.claim(consumer="notes", event_id=event.event_id, event_type="t")
    await uow.notes.add(random_id())
    await uow.add_events([(event, "k1")])
    await uow.add_event(notification(random_id(), 2), "k2")


async def test_leaving_without_commit_leaves_nothing(engine: AsyncEngine) -> None:
    async with NotesUnitOfWork(make_session_factory(engine)) as uow:
        await _write(uow)
    assert await _counts(engine) == (0, 0, 0)


async def test_commit_keeps_rows_inbox_and_outbox_together(engine: AsyncEngine) -> None:
    async with NotesUnitOfWork(make_session_factory(engine)) as uow:
        await _write(uow)
        await uow.commit()
    assert await _counts(engine) == (1, 2, 1)


async def test_a_claimed_event_is_not_claimed_again(engine: AsyncEngine) -> None:
    event_id = notification(random_id(), 1).event_id
    sessions = make_session_factory(engine)
    async with NotesUnitOfWork(sessions) as uow:
        assert await uow.claim(consumer="notes", event_id=event_id, event_type="t")
        await uow.commit()
    async with NotesUnitOfWork(sessions) as uow:
        assert not await uow.claim(consumer="notes", event_id=event_id, event_type="t")


async def test_session_outside_async_with_is_an_error(engine: AsyncEngine) -> None:
    uow = NotesUnitOfWork(make_session_factory(engine))
    with pytest.raises(RuntimeError, match="outside 'async with'"):
        _ = uow.session
