"""Search what an attacker with a dump would see for strings: a student's name, email, text.

Databases: every `huleedu*` database, every table of every schema but PostgreSQL's own,
every column: text, numbers, JSON and arrays as their text (case-insensitive), bytea as raw
bytes (the stored tokens and payloads). Kafka: every record of every topic, value, key and
headers, from the beginning. Each needle is searched as written, lower-cased and JSON-escaped
(`\\u00c5`), so neither casing nor serialisation hides it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from huleedu_service_libs.config import InfraSettings
from huleedu_testing.fixtures import LIBS_TEST_DATABASE

__all__ = ["Finding", "forms_of", "platform_databases", "scan_databases", "scan_topics"]

_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


@dataclass(frozen=True)
class Finding:
    """Where a needle was found: `database.schema.table.column` or `topic[partition]@offset`."""

    where: str
    needle: str


def forms_of(needle: str) -> list[str]:
    """The needle as written, lower-cased, and as JSON with non-ASCII escaped."""
    escaped = json.dumps(needle, ensure_ascii=True)[1:-1]
    return list(dict.fromkeys([needle, needle.lower(), escaped, escaped.lower()]))


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def platform_databases(infra: InfraSettings) -> list[str]:
    """The names of every `huleedu*` database."""
    engine = create_async_engine(infra.database_url(LIBS_TEST_DATABASE))
    try:
        async with engine.connect() as conn:
            found = await conn.execute(
                text("SELECT datname FROM pg_database WHERE datname LIKE 'huleedu%' ORDER BY 1")
            )
            return [str(r[0]) for r in found]
    finally:
        await engine.dispose()


async def _scan_one(
    conn: AsyncConnection, database: str, needles: Sequence[str], schemas: list[str] | None
) -> list[Finding]:
    columns = await conn.execute(
        text(
            "SELECT c.table_schema, c.table_name, c.column_name, c.data_type"
            " FROM information_schema.columns c JOIN information_schema.tables t"
            " ON t.table_schema = c.table_schema AND t.table_name = c.table_name"
            " WHERE t.table_type = 'BASE TABLE' AND c.table_schema <> ALL(:system)"
            " AND c.table_schema NOT LIKE 'pg_temp%'"
            " AND (CAST(:schemas AS text[]) IS NULL OR c.table_schema = ANY(:schemas))"
            " ORDER BY 1, 2, 3"
        ),
        {"system": list(_SYSTEM_SCHEMAS), "schemas": schemas},
    )
    findings: list[Finding] = []
    for schema, table, column, data_type in columns.all():
        target = f"{_quoted(schema)}.{_quoted(table)}"
        try:
            if not await _holds(conn, target, column, data_type, needles):
                continue
        except DBAPIError as exc:
            if "does not exist" in str(exc):
                continue  # a test's schema dropped since it was listed
            raise
        for needle in needles:
            if await _holds(conn, target, column, data_type, [needle]):
                findings.append(Finding(f"{database}.{schema}.{table}.{column}", needle))
    return findings


async def _holds(
    conn: AsyncConnection, target: str, column: str, data_type: str, needles: Sequence[str]
) -> bool:
    forms = [f for needle in needles for f in forms_of(needle)]
    if data_type == "bytea":
        condition = " OR ".join(
            f"position(CAST(:f{i} AS bytea) IN {_quoted(column)}) > 0" for i in range(len(forms))
        )
        params: dict[str, Any] = {f"f{i}": f.encode() for i, f in enumerate(forms)}
    else:
        condition = f"CAST({_quoted(column)} AS text) ILIKE ANY(:patterns)"
        params = {"patterns": [f"%{_like(f)}%" for f in forms]}
    query = text(f"SELECT EXISTS (SELECT 1 FROM {target} WHERE {condition})")
    return bool(await conn.scalar(query, params))


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def scan_databases(
    infra: InfraSettings,
    needles: Sequence[str],
    *,
    databases: Iterable[str] | None = None,
    schemas: Iterable[str] | None = None,
) -> list[Finding]:
    """Every place in the platform's databases (or those given, and schemas) that holds one
    of the needles."""
    names = list(databases) if databases is not None else await platform_databases(infra)
    only = list(schemas) if schemas is not None else None
    findings: list[Finding] = []
    for database in names:
        # Autocommit: one statement failing (a table dropped meanwhile) spoils no other.
        engine = create_async_engine(infra.database_url(database), isolation_level="AUTOCOMMIT")
        try:
            async with engine.connect() as conn:
                findings.extend(await _scan_one(conn, database, needles, only))
        finally:
            await engine.dispose()
    return findings


async def _topic_partitions(bootstrap: str, topics: Iterable[str] | None) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        names = sorted(topics) if topics is not None else sorted(await admin.list_topics())
        described = await admin.describe_topics(names)
    finally:
        await admin.close()
    return [
        TopicPartition(t["topic"], p["partition"])
        for t in described
        if t["error_code"] == 0
        for p in t["partitions"]
    ]


async def scan_topics(
    bootstrap: str,
    needles: Sequence[str],
    *,
    topics: Iterable[str] | None = None,
    timeout_seconds: float = 120.0,
) -> list[Finding]:
    """Every record (value, key, headers) of the topics that holds one of the needles."""
    partitions = await _topic_partitions(bootstrap, topics)
    forms = {needle: [f.encode() for f in forms_of(needle)] for needle in needles}
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False
    )
    await consumer.start()
    findings: list[Finding] = []
    try:
        if not partitions:
            return findings
        ends = await consumer.end_offsets(partitions)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        left = {tp for tp in partitions if ends[tp] > 0}
        async with asyncio.timeout(timeout_seconds):
            while left:
                batch = await consumer.getmany(timeout_ms=500, max_records=5000)
                for tp, records in batch.items():
                    for record in records:
                        where = f"{tp.topic}[{tp.partition}]@{record.offset}"
                        findings.extend(_in_record(record, forms, where))
                for tp in list(left):
                    if await consumer.position(tp) >= ends[tp]:
                        left.discard(tp)
    finally:
        await consumer.stop()
    return findings


def _in_record(record: Any, forms: dict[str, list[bytes]], where: str) -> list[Finding]:
    parts = [record.value or b"", record.key or b"", *(v or b"" for _, v in record.headers)]
    haystack = b"\0".join(parts)
    lowered = haystack.lower()
    return [
        Finding(where, needle)
        for needle, encoded in forms.items()
        if any(f in haystack or f.lower() in lowered for f in encoded)
    ]
