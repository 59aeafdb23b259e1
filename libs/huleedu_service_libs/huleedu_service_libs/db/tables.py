"""Tables every service database has: the transactional outbox and the consumer inbox."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID

from huleedu_service_libs.db.engine import make_metadata

# A metadata object of their own: services add these tables through the migration helpers
# and use them through Core statements, never through their own ORM models.
shared_metadata = make_metadata()

event_outbox = Table(
    "event_outbox",
    shared_metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("event_type", String(200), nullable=False),
    Column("topic", String(255), nullable=False),
    Column("event_key", String(255), nullable=True),
    Column("payload", LargeBinary, nullable=False),
    Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", Text, nullable=True),
    Column("parked_at", DateTime(timezone=True), nullable=True),
    # Published rows are deleted (Kafka is the record of what was sent), so the table holds
    # only the backlog. The relay claims it in id order; this partial index serves that
    # ORDER BY ... LIMIT without a sort and leaves parked rows out.
    Index("ix_event_outbox_pending", "id", postgresql_where=text("parked_at IS NULL")),
)

processed_events = Table(
    "processed_events",
    shared_metadata,
    Column("consumer", String(200), primary_key=True),
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("event_type", String(200), nullable=False, server_default=""),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
