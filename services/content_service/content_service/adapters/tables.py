"""The Content Service's tables."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, LargeBinary, String, Table, func

from huleedu_service_libs.db import make_metadata

metadata = make_metadata()

content_items = Table(
    "content_items",
    metadata,
    Column("content_id", String(64), primary_key=True),
    Column("content_type", String(255), nullable=False),
    Column("size_bytes", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
