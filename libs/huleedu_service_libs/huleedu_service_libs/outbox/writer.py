"""Outbox writer: stores events in the caller's transaction; the relay publishes after commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import to_json
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from common_core.envelope import EventEnvelope
from common_core.topics import topic_for
from huleedu_service_libs.kafka.headers import envelope_headers

# One channel per database; PostgreSQL delivers NOTIFY only when the transaction commits.
NOTIFY_CHANNEL = "huleedu_outbox"
# Every event of a call in one statement over one array per column (no per-row work in
# SQLAlchemy), inserted in array order so `id` follows the order given (the relay publishes
# in id order: one key's events stay in order), and the relay's wake-up in the same round
# trip. PostgreSQL folds identical notifications of one transaction into one, delivered at
# commit, so notifying on every call never wakes the relay twice.
_INSERT_MANY_AND_NOTIFY = text(
    "WITH added AS (INSERT INTO event_outbox (event_id, event_type, topic, event_key, payload,"
    " headers) SELECT e, t, p, k, b, h FROM unnest(CAST(:event_id AS uuid[]),"
    " CAST(:event_type AS varchar[]), CAST(:topic AS varchar[]), CAST(:event_key AS varchar[]),"
    " CAST(:payload AS bytea[]), CAST(:headers AS jsonb[])) WITH ORDINALITY AS u(e, t, p, k, b,"
    " h, n) ORDER BY n RETURNING 1) SELECT pg_notify(:channel, '')"
)


def outbox_row(
    envelope: EventEnvelope[Any], *, key: str, topic: str | None = None
) -> dict[str, Any]:
    """The event_outbox row for an envelope: payload, key, topic and identity headers."""
    return {
        "event_id": envelope.event_id,
        "event_type": envelope.event_type,
        "topic": topic or topic_for(envelope.data),
        "event_key": key,
        "payload": envelope.model_dump_json().encode("utf-8"),
        "headers": envelope_headers(envelope),
    }


class OutboxWriter:
    """Adds events to event_outbox inside the session's current transaction (never commits)."""

    async def add(
        self,
        session: AsyncSession,
        envelope: EventEnvelope[Any],
        *,
        key: str,
        topic: str | None = None,
    ) -> None:
        """Store one event; it is published only if the caller's transaction commits."""
        await self.add_many(session, [(envelope, key, topic)])

    async def add_many(
        self,
        session: AsyncSession,
        events: Sequence[tuple[EventEnvelope[Any], str, str | None]],
    ) -> None:
        """Store several events with one statement (envelope, key, topic-or-None each)."""
        if not events:
            return
        rows = [outbox_row(env, key=key, topic=topic) for env, key, topic in events]
        columns = {name: [row[name] for row in rows] for name in rows[0]}
        # Array elements bypass the JSONB column type, so the headers go as JSON text
        # (pydantic-core's encoder: a third of json.dumps's time on these small dicts).
        columns["headers"] = [to_json(h).decode() for h in columns["headers"]]
        await session.execute(_INSERT_MANY_AND_NOTIFY, {**columns, "channel": NOTIFY_CHANNEL})
