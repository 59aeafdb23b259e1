"""The body of every service's migrations/env.py: async online runs, offline SQL, test runs."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine


def _configure_and_run(connection: Connection, target_metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # The shared outbox/inbox tables come from the migration helpers, not this metadata.
        include_name=lambda name, type_, _parent: (
            not (type_ == "table" and name in {"event_outbox", "processed_events"})
        ),
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_online(database_url: str, target_metadata: MetaData) -> None:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_configure_and_run, target_metadata)
            await conn.commit()
    finally:
        await engine.dispose()


def run_migrations(target_metadata: MetaData, database_url: str) -> None:
    """Run Alembic for a service: on a handed-over connection (tests), offline, or online."""
    connection: Any = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection, target_metadata)
    elif context.is_offline_mode():
        context.configure(url=database_url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
    else:
        asyncio.run(_run_online(database_url, target_metadata))
