"""Database metrics of a service's engine: pool use and statement latency, from engine events."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import Gauge, Histogram
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = [
    "DB_POOL_CHECKED_OUT",
    "DB_POOL_SIZE",
    "DB_STATEMENT_DURATION",
    "instrument_engine",
    "statement_operation",
]

DB_POOL_CHECKED_OUT = Gauge(
    "huleedu_db_pool_checked_out", "Pooled connections in use right now", ["service"]
)
DB_POOL_SIZE = Gauge(
    "huleedu_db_pool_size", "Connections the pool keeps open (its configured size)", ["service"]
)
DB_STATEMENT_DURATION = Histogram(
    "huleedu_db_statement_duration_seconds",
    "Time from sending a statement to its result, by operation",
    ["service", "operation"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

_OPERATIONS = frozenset({"select", "insert", "update", "delete"})
_STARTED = "huleedu_statement_started"


def statement_operation(statement: str) -> str:
    """select, insert, update, delete or other (a bounded label, never the SQL)."""
    words = statement.lstrip(" \t\n(").split(None, 1)
    first = words[0].lower() if words else ""
    return first if first in _OPERATIONS else "other"


def instrument_engine(engine: AsyncEngine, service: str) -> AsyncEngine:
    """Export the engine's pool gauges and time each of its statements; returns the engine."""
    pool: Any = engine.sync_engine.pool
    checked_out = getattr(pool, "checkedout", None)
    size = getattr(pool, "size", None)
    if callable(checked_out) and callable(size):
        # Read at scrape time: no event can leave them stale.
        DB_POOL_CHECKED_OUT.labels(service).set_function(checked_out)
        DB_POOL_SIZE.labels(service).set_function(size)

    def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info.setdefault(_STARTED, []).append(time.perf_counter())

    def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        started = conn.info.get(_STARTED)
        if started:
            elapsed = time.perf_counter() - started.pop()
            DB_STATEMENT_DURATION.labels(service, statement_operation(statement)).observe(elapsed)

    def failed(context: Any) -> None:
        # A statement that raised never reaches after_cursor_execute: drop its start time.
        started = context.connection.info.get(_STARTED) if context.connection else None
        if started:
            started.pop()

    event.listen(engine.sync_engine, "before_cursor_execute", before)
    event.listen(engine.sync_engine, "after_cursor_execute", after)
    event.listen(engine.sync_engine, "handle_error", failed)
    return engine
