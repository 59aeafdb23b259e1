"""Inbox: remember handled event ids in the handler's own transaction (idempotent consumers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from common_core.envelope import EventEnvelope
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


async def apply_once(
    sessions: async_sessionmaker[AsyncSession],
    envelope: EventEnvelope[Any],
    *,
    consumer: str,
    effects: Callable[[AsyncSession], Awaitable[None]],
) -> bool:
    """Claim the event and run `effects` in one transaction; False (nothing run) if handled.

    For consumers whose effects are plain statements on one session: if `effects` raises,
    the claim rolls back with them and the redelivery tries again.
    """
    async with sessions() as session, session.begin():
        claimed = await claim_event(
            session,
            consumer=consumer,
            event_id=envelope.event_id,
            event_type=envelope.event_type,
        )
        if not claimed:
            return False
        await effects(session)
    return True
