"""The relay's SQL: claim due rows, then delete the sent ones and charge the failed ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import BigInteger, Select, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection

from huleedu_service_libs.db.tables import event_outbox
from huleedu_service_libs.outbox.config import RelayConfig
from huleedu_service_libs.outbox.metrics import OutboxMetrics


def claim_statement(batch_size: int) -> Select[Any]:
    """Due, unparked rows in id order, locked; rows other relays hold are skipped."""
    t = event_outbox
    return (
        select(t.c.id, t.c.topic, t.c.event_key, t.c.payload, t.c.headers, t.c.attempts)
        .where(t.c.parked_at.is_(None))
        .where(t.c.next_attempt_at <= func.now())
        .order_by(t.c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )


async def record_outcomes(
    conn: AsyncConnection,
    sent_ids: list[int],
    failures: list[tuple[Row[Any], BaseException]],
    *,
    config: RelayConfig,
    metrics: OutboxMetrics,
    log: structlog.stdlib.BoundLogger,
) -> None:
    """Delete the sent rows; back off each failed row, parking it after max_attempts."""
    t = event_outbox
    if sent_ids:
        # Sent rows leave the table in the claiming transaction; one array parameter
        # instead of an expanding IN list of a thousand binds.
        ids = bindparam("ids", sent_ids, type_=ARRAY(BigInteger))
        await conn.execute(delete(t).where(t.c.id == func.any(ids)))
    # Failures are rare and per row, so one UPDATE each keeps this readable.
    for row, exc in failures:
        attempts = row.attempts + 1
        delay = min(
            config.backoff_initial_seconds * 2 ** (attempts - 1), config.backoff_max_seconds
        )
        park = attempts >= config.max_attempts
        await conn.execute(
            update(t)
            .where(t.c.id == row.id)
            .values(
                attempts=attempts,
                last_error=f"{type(exc).__name__}: {exc}"[:2000],
                next_attempt_at=func.now() + timedelta(seconds=delay),
                parked_at=func.now() if park else None,
            )
        )
        metrics.failures.inc()
        if park:
            metrics.parked_total.inc()
            log.error("outbox row parked", row_id=row.id, topic=row.topic, error=repr(exc))
        else:
            log.warning("outbox row failed", row_id=row.id, attempt=attempts, error=repr(exc))
