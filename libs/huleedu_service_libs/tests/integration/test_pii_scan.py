"""The erasure proof's scanner finds what is there (in any column type, any serialisation, any
part of a record) and nothing that is not, so its empty answer means something."""

from __future__ import annotations

import json

import pytest
from aiokafka import AIOKafkaProducer
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_service_libs.config import InfraSettings
from huleedu_testing.fixtures import LIBS_TEST_DATABASE, TopicFactory
from huleedu_testing.pii_scan import scan_databases, scan_topics
from huleedu_testing.random_refs import random_suffix

pytestmark = pytest.mark.integration

NAME = f"Åsa Öberg{random_suffix()[:6]}"
EMAIL = f"asa.{random_suffix()[:6]}@elev.skola.se"
ABSENT = f"Björn Ny{random_suffix()[:6]}"


async def test_database_scan_finds_text_json_bytea_and_arrays(
    pg_engine: AsyncEngine, infra: InfraSettings
) -> None:
    async with pg_engine.begin() as conn:
        schema = str(await conn.scalar(text("SHOW search_path"))).strip('"')
        await conn.execute(
            text(
                "CREATE TABLE t (id int, label varchar(80), doc jsonb, blob bytea, tags text[],"
                " other text)"
            )
        )
        await conn.execute(
            text("INSERT INTO t VALUES (1, :upper, CAST(:doc AS jsonb), :blob, :tags, 'nothing')"),
            {
                "upper": NAME.upper(),
                "doc": json.dumps({"who": NAME}, ensure_ascii=True),
                "blob": b"prefix " + EMAIL.encode() + b" suffix",
                "tags": ["x", EMAIL],
            },
        )

    found = await scan_databases(
        infra, [NAME, EMAIL, ABSENT], databases=[LIBS_TEST_DATABASE], schemas=[schema]
    )

    where = {(f.where.rsplit(".", 1)[-1], f.needle) for f in found}
    assert where == {("label", NAME), ("doc", NAME), ("blob", EMAIL), ("tags", EMAIL)}


async def test_topic_scan_finds_values_keys_and_headers(
    make_topic: TopicFactory, kafka_bootstrap: str
) -> None:
    topic = await make_topic("pii-scan", partitions=2, with_dlq=False)
    producer = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap)
    await producer.start()
    try:
        send = producer.send_and_wait
        await send(topic, json.dumps({"n": NAME}).encode(), key=b"k1", partition=0)
        await send(topic, b"clean", key=EMAIL.encode(), partition=1)
        await send(topic, b"clean", headers=[("h", NAME.lower().encode())], partition=1)
        await send(topic, b"nothing here", partition=0)
    finally:
        await producer.stop()

    found = await scan_topics(kafka_bootstrap, [NAME, EMAIL, ABSENT], topics=[topic])

    assert sorted((f.where, f.needle) for f in found) == sorted(
        [(f"{topic}[0]@0", NAME), (f"{topic}[1]@0", EMAIL), (f"{topic}[1]@1", NAME)]
    )
