"""Inbox: remember handled event ids in the handler's own transaction (idempotent consumers).

Services never claim directly: `SqlAlchemyUnitOfWork.claim` does, for the consumer kernel's
StepRunner. `InboxReader` is the cheap look before expensive work done outside the transaction
(a spell check): a redelivery is recognised before it is redone, and the claim stays the guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from huleedu_service_libs.db.tables import processed_events
from huleedu_service_libs.delivery import mark_duplicate


async def claim_event(
    session: AsyncSession, *, consumer: str, event_id: UUID, event_type: str = ""
) -> bool:
    """Record the event as handled by `consumer`; False if it already was (skip the effects).

    Call it first in the handler's transaction: the row commits with the effects, and a
    concurrent redelivery waits on the row lock and then sees the conflict.
    """
    stmt = (
        insert(processed_events)
        .values(consumer=consumer, event_id=event_id, event_type=event_type)
        .on_conflict_do_nothing()
        .returning(processed_events.c.event_id)
    )
    claimed = (await session.execute(stmt)).first() is not None
    if not claimed:
        mark_duplicate()
    return claimed


async def claim_events(
    session: AsyncSession, *, consumer: str, events: Sequence[tuple[UUID, str]]
) -> set[UUID]:
    """Record several (event id, event type) pairs in one statement; the ids newly claimed.

    Rows go in in event id order, so two transactions claiming overlapping sets take the
    inbox's row locks in the same order and never deadlock each other. The caller marks the
    duplicates (StepRunner.run_many counts them, repeats inside the run included).
    """
    if not events:
        return set()
    unique = sorted(dict(events).items())
    stmt = (
        insert(processed_events)
        .values([{"consumer": consumer, "event_id": i, "event_type": t} for i, t in unique])
        .on_conflict_do_nothing()
        .returning(processed_events.c.event_id)
    )
    return set((await session.execute(stmt)).scalars())


class InboxReader:
    """Asks the inbox, outside any unit of work, whether an event was handled already.

    Only a hint: a concurrent delivery may claim the event right after a False, so the step
    still runs under StepRunner's claim, which decides. Runs in autocommit: one SELECT, no
    BEGIN/ROLLBACK around it (~0.3 ms and a quarter of the read's CPU less, measured here).
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    async def handled(self, *, consumer: str, event_id: UUID) -> bool:
        """True when the event's handling by `consumer` has committed."""
        stmt = select(processed_events.c.event_id).where(
            processed_events.c.consumer == consumer, processed_events.c.event_id == event_id
        )
        async with self._engine.connect() as conn:
            return (await conn.execute(stmt)).first() is not None
