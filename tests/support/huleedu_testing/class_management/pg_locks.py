"""Deterministic interleavings for integration tests: wait until backends block on a lock."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

# Backends waiting, directly or through another waiter, for the given backend.
_WAITING_ON = text(
    """
    WITH RECURSIVE waiting(pid) AS (
        SELECT pid FROM pg_stat_activity WHERE CAST(:pid AS int) = ANY(pg_blocking_pids(pid))
        UNION
        SELECT a.pid FROM pg_stat_activity a JOIN waiting w ON w.pid = ANY(pg_blocking_pids(a.pid))
    )
    SELECT count(*) FROM waiting
    """
)


async def backend_pid(conn: AsyncConnection) -> int:
    """The PostgreSQL backend (process id) of a connection."""
    return int(await conn.scalar(text("SELECT pg_backend_pid()")))


async def wait_for_waiters(engine: AsyncEngine, pid: int, count: int) -> None:
    """Return once `count` backends wait for `pid`'s locks; AssertionError after ~10 s."""
    async with engine.connect() as conn:
        for _ in range(500):
            waiting = await conn.scalar(_WAITING_ON, {"pid": pid})
            # pg_stat_activity is a snapshot taken once per transaction: end it, or a backend
            # connected after the first poll is never seen.
            await conn.rollback()
            if waiting >= count:
                return
            await asyncio.sleep(0.02)
    raise AssertionError(f"{count} backend(s) never waited for backend {pid}")
