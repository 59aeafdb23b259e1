"""Key rotation of a table's encrypted columns, and the one-transaction inbox helper."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import Column, Integer, LargeBinary, MetaData, String, Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from common_core.envelope import EventEnvelope
from common_core.events import StudentCreatedV1
from huleedu_service_libs.crypto import KeyRing, generate_key
from huleedu_service_libs.db import EncryptedColumns, make_session_factory, reencrypt_table
from huleedu_service_libs.db.migration_helpers import create_shared_tables
from huleedu_service_libs.inbox import apply_once
from huleedu_testing.sample_events import sample_event

pytestmark = pytest.mark.integration

K1, K2 = generate_key(), generate_key()
metadata = MetaData()
secrets = Table(
    "secrets",
    metadata,
    Column("owner", String, primary_key=True),
    Column("part", Integer, primary_key=True),
    Column("secret", LargeBinary, nullable=True),
    Column("label", String, nullable=True),
)


@pytest.fixture
async def engine(pg_engine: AsyncEngine) -> AsyncEngine:
    async with pg_engine.begin() as conn:
        await create_shared_tables(conn)
        await conn.run_sync(metadata.create_all)
    return pg_engine


async def tokens(engine: AsyncEngine) -> list[bytes | None]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(secrets.c.secret).order_by(secrets.c.owner, secrets.c.part)
        )
        return [None if r.secret is None else bytes(r.secret) for r in rows]


async def test_rotation_pages_by_composite_key_and_is_idempotent(engine: AsyncEngine) -> None:
    old = KeyRing(K1)
    rows = [
        {"owner": f"o{i % 3}", "part": i, "secret": old.encrypt(f"s{i}".encode()) if i else None}
        for i in range(7)
    ]
    async with engine.begin() as conn:
        await conn.execute(insert(secrets), rows)
    target = EncryptedColumns(secrets, ("owner", "part"), ("secret",))
    ring = KeyRing(f"{K2},{K1}")

    first = await reencrypt_table(engine, target, ring, batch_size=2)
    second = await reencrypt_table(engine, target, ring, batch_size=2)

    assert (first.rows, first.values_reencrypted, first.values_current) == (7, 6, 0)
    assert (second.values_reencrypted, second.values_current) == (0, 6)
    stored = [t for t in await tokens(engine) if t is not None]
    assert sorted(KeyRing(K2).decrypt(t).decode() for t in stored) == [f"s{i}" for i in range(1, 7)]


async def test_a_hook_can_change_more_columns(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(
            insert(secrets), [{"owner": "a", "part": 1, "secret": KeyRing(K2).encrypt(b"x")}]
        )
    target = EncryptedColumns(secrets, ("owner", "part"), ("secret",), extra_columns=("label",))

    def label(values: Mapping[str, Any], change: dict[str, Any]) -> bool:
        change["label"] = f"len-{len(KeyRing(K2).decrypt(values['secret']))}"
        return values["label"] != change["label"]

    report = await reencrypt_table(engine, target, KeyRing(K2), hook=label)
    assert report.values_current == 1
    async with engine.connect() as conn:
        assert await conn.scalar(select(secrets.c.label)) == "len-1"


async def test_apply_once_runs_effects_once_and_rolls_back_with_them(engine: AsyncEngine) -> None:
    sessions = make_session_factory(engine)
    event = EventEnvelope.wrap(
        sample_event(StudentCreatedV1), source_service="t", correlation_id="c"
    )
    calls: list[str] = []

    async def effects(session: AsyncSession) -> None:
        calls.append("run")
        await session.execute(insert(secrets).values(owner="e", part=len(calls)))
        if len(calls) == 1:
            raise RuntimeError("first attempt fails")

    with pytest.raises(RuntimeError):
        await apply_once(sessions, event, consumer="c1", effects=effects)
    assert await apply_once(sessions, event, consumer="c1", effects=effects) is True
    assert await apply_once(sessions, event, consumer="c1", effects=effects) is False
    assert await apply_once(sessions, event, consumer="c2", effects=effects) is True
    async with engine.connect() as conn:
        parts = (await conn.execute(text("SELECT part FROM secrets ORDER BY part"))).scalars()
        assert list(parts) == [2, 3]
