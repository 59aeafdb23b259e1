"""Alembic helpers so every service creates the shared tables the same way."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from huleedu_service_libs.db.tables import event_outbox, processed_events, shared_metadata


def create_outbox_and_inbox(op: Any) -> None:
    """Create event_outbox and processed_events inside an Alembic migration's upgrade()."""
    bind = op.get_bind()
    shared_metadata.create_all(bind, tables=[event_outbox, processed_events])


def drop_outbox_and_inbox(op: Any) -> None:
    """Drop them again in downgrade()."""
    bind = op.get_bind()
    shared_metadata.drop_all(bind, tables=[processed_events, event_outbox])


async def create_shared_tables(conn: AsyncConnection) -> None:
    """Create both tables on a connection (tests and tools that do not run Alembic)."""
    await conn.run_sync(shared_metadata.create_all)
