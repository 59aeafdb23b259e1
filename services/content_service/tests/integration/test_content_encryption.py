"""Blobs at rest: raw rows hold no plaintext, old rows stay readable, keys rotate."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from content_service.adapters.tables import content_items
from content_service.app import create_app
from content_service.config import ContentServiceSettings
from content_service.rotate_keys import BLOBS
from huleedu_service_libs.crypto import KeyRing, UndecryptableError
from huleedu_service_libs.db import reencrypt_table
from huleedu_testing.migrations import downgrade_to_base, upgrade_to_head

pytestmark = pytest.mark.integration

SERVICE_DIR = Path(__file__).resolve().parents[2]
KEY = "content-test-internal-key"
HEADERS = {"X-Internal-API-Key": KEY, "Content-Type": "text/plain; charset=utf-8"}
K1, K2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()
ESSAY = "Namn: Åsa Öberg\nasa.oberg@elev.skola.se\n\nMin skärgård om sommaren.".encode()


@pytest.fixture
async def engine(pg_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


def settings(keys: str) -> ContentServiceSettings:
    return ContentServiceSettings(internal_api_key=KEY, encryption_keys=keys)


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[Any]:
    async with create_app(settings(K1), engine).test_app() as test_app:
        yield test_app.test_client()


async def raw_rows(engine: AsyncEngine) -> dict[str, tuple[bytes, bool]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(content_items.c.content_id, content_items.c.data, content_items.c.encrypted)
        )
        return {r.content_id: (bytes(r.data), r.encrypted) for r in rows}


async def fetch(engine: AsyncEngine, keys: str, content_id: str) -> tuple[int, bytes]:
    async with create_app(settings(keys), engine).test_app() as test_app:
        answer = await test_app.test_client().get(
            f"/internal/v1/content/{content_id}", headers=HEADERS
        )
        return answer.status_code, await answer.get_data()


async def test_the_stored_row_holds_a_token_not_the_text(client: Any, engine: AsyncEngine) -> None:
    stored = await client.post("/internal/v1/content", data=ESSAY, headers=HEADERS)
    content_id = (await stored.get_json())["content_id"]

    assert content_id == hashlib.sha256(ESSAY).hexdigest()  # ids stay those of the plaintext
    data, encrypted = (await raw_rows(engine))[content_id]
    assert encrypted is True
    for secret in ("Åsa", "Öberg", "asa.oberg", "skärgård"):
        assert secret.encode() not in data
    assert KeyRing(K1).decrypt(data) == ESSAY
    fetched = await client.get(f"/internal/v1/content/{content_id}", headers=HEADERS)
    assert await fetched.get_data() == ESSAY
    assert fetched.headers["Cache-Control"] == "private, no-store"
    again = await client.post("/internal/v1/content", data=ESSAY, headers=HEADERS)
    assert again.status_code == 200  # a retry finds the id: no second row
    assert len(await raw_rows(engine)) == 1


async def test_rows_from_before_encryption_are_read_then_encrypted_by_rotation(
    engine: AsyncEngine,
) -> None:
    legacy_id = hashlib.sha256(ESSAY).hexdigest()
    async with engine.begin() as conn:
        await conn.execute(
            insert(content_items).values(
                content_id=legacy_id,
                content_type="text/plain; charset=utf-8",
                size_bytes=len(ESSAY),
                data=ESSAY,
            )
        )
    assert (await raw_rows(engine))[legacy_id] == (ESSAY, False)
    assert await fetch(engine, K1, legacy_id) == (200, ESSAY)

    first = await reencrypt_table(engine, BLOBS, KeyRing(K1), batch_size=1)
    second = await reencrypt_table(engine, BLOBS, KeyRing(K1), batch_size=1)

    assert (first.rows, first.values_encrypted) == (1, 1)
    assert (second.values_encrypted, second.values_current) == (0, 1)
    data, encrypted = (await raw_rows(engine))[legacy_id]
    assert encrypted is True
    assert b"\xc3\x85sa" not in data
    assert await fetch(engine, K1, legacy_id) == (200, ESSAY)


async def test_key_rotation_moves_every_blob_to_the_new_key(
    client: Any, engine: AsyncEngine
) -> None:
    ids = []
    for i in range(5):
        stored = await client.post(
            "/internal/v1/content", data=ESSAY + bytes([65 + i]), headers=HEADERS
        )
        ids.append((await stored.get_json())["content_id"])

    report = await reencrypt_table(engine, BLOBS, KeyRing(f"{K2},{K1}"), batch_size=2)
    rerun = await reencrypt_table(engine, BLOBS, KeyRing(f"{K2},{K1}"), batch_size=2)

    assert (report.rows, report.values_reencrypted) == (5, 5)
    assert (rerun.values_reencrypted, rerun.values_current) == (0, 5)
    for content_id in ids:
        status, data = await fetch(engine, K2, content_id)
        assert status == 200
        assert data.startswith(ESSAY)
        with pytest.raises(UndecryptableError):
            KeyRing(K1).decrypt((await raw_rows(engine))[content_id][0])


async def test_downgrade_refuses_to_strand_encrypted_blobs(
    client: Any, engine: AsyncEngine
) -> None:
    await client.post("/internal/v1/content", data=ESSAY, headers=HEADERS)
    with pytest.raises(RuntimeError, match="encrypted blobs exist"):
        await downgrade_to_base(engine, SERVICE_DIR)
    assert len(await raw_rows(engine)) == 1
