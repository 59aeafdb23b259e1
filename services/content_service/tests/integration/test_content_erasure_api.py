"""Erasing a batch's blobs: holders keep shared blobs, derived texts follow, redaction in place."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from content_service.adapters.tables import content_holders, content_items
from content_service.app import create_app
from content_service.config import ContentServiceSettings
from content_service.domain.erasure import MASK
from huleedu_testing.migrations import upgrade_to_head

pytestmark = pytest.mark.integration

SERVICE_DIR = Path(__file__).resolve().parents[2]
KEY = "content-test-internal-key"
AUTH = {"X-Internal-API-Key": KEY}
TEXT = {**AUTH, "Content-Type": "text/plain; charset=utf-8"}
ESSAY = "Namn: Åsa Öberg\n\nJag heter Åsa och bor i Göteborg.".encode()
CORRECTED = "Namn: Åsa Öberg\n\nJag heter Åsa och bor i Göteborg!".encode()
RAW = b"PK\x03\x04 pretend docx naming \xc3\x85sa \xc3\x96berg"


@pytest.fixture
async def engine(pg_engine: AsyncEngine) -> AsyncEngine:
    await upgrade_to_head(pg_engine, SERVICE_DIR)
    return pg_engine


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[Any]:
    settings = ContentServiceSettings(internal_api_key=KEY)
    async with create_app(settings, engine).test_app() as test_app:
        yield test_app.test_client()


async def store(client: Any, data: bytes, headers: dict[str, str], **query: str) -> str:
    answer = await client.post(
        "/internal/v1/content", data=data, headers=headers, query_string=query
    )
    assert answer.status_code in (200, 201), await answer.get_json()
    return str((await answer.get_json())["content_id"])


async def erase(client: Any, **body: Any) -> dict[str, Any]:
    answer = await client.post("/internal/v1/content/erasures", json=body, headers=AUTH)
    assert answer.status_code == 200, await answer.get_json()
    return dict(await answer.get_json())


async def status_of(client: Any, content_id: str) -> int:
    return int((await client.get(f"/internal/v1/content/{content_id}", headers=AUTH)).status_code)


async def count(engine: AsyncEngine, table: Any) -> int:
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)))


async def test_a_blob_another_batch_holds_stays_for_it(client: Any, engine: AsyncEngine) -> None:
    text_id = await store(client, ESSAY, TEXT, holder="batch-a")
    assert await store(client, ESSAY, TEXT, holder="batch-b") == text_id
    assert await count(engine, content_holders) == 2

    first = await erase(client, holder="batch-a", delete=[text_id])
    assert first == {"deleted": 0, "kept_for_other_holders": 1, "redacted": 0}
    assert await status_of(client, text_id) == 200
    second = await erase(client, holder="batch-b", delete=[text_id])
    assert second == {"deleted": 1, "kept_for_other_holders": 0, "redacted": 0}
    assert await status_of(client, text_id) == 404
    again = await erase(client, holder="batch-b", delete=[text_id])  # a redelivery
    assert again == {"deleted": 0, "kept_for_other_holders": 0, "redacted": 0}
    assert (await count(engine, content_items), await count(engine, content_holders)) == (0, 0)


async def test_deleting_a_text_deletes_its_corrected_versions(client: Any) -> None:
    raw_id = await store(
        client, RAW, {**AUTH, "Content-Type": "application/octet-stream"}, holder="b1"
    )
    text_id = await store(client, ESSAY, TEXT, holder="b1")
    corrected_id = await store(client, CORRECTED, TEXT, holder="b1", derived_from=text_id)

    result = await erase(client, holder="b1", delete=[raw_id, text_id])

    assert result == {"deleted": 3, "kept_for_other_holders": 0, "redacted": 0}
    for content_id in (raw_id, text_id, corrected_id):
        assert await status_of(client, content_id) == 404


async def test_kept_texts_are_redacted_in_place_and_raw_files_let_go(client: Any) -> None:
    raw_id = await store(
        client, RAW, {**AUTH, "Content-Type": "application/octet-stream"}, holder="b1"
    )
    text_id = await store(client, ESSAY, TEXT, holder="b1")
    corrected_id = await store(client, CORRECTED, TEXT, holder="b1", derived_from=text_id)
    terms = ["Åsa Öberg", "Åsa", "Öberg"]

    result = await erase(client, holder="b1", delete=[raw_id], redact=[text_id], terms=terms)

    assert result == {"deleted": 1, "kept_for_other_holders": 0, "redacted": 2}
    assert await status_of(client, raw_id) == 404
    for content_id, original in ((text_id, ESSAY), (corrected_id, CORRECTED)):
        answer = await client.get(f"/internal/v1/content/{content_id}", headers=AUTH)
        kept = (await answer.get_data()).decode()
        assert "Åsa" not in kept
        assert "Öberg" not in kept
        assert len(kept) == len(original.decode())
        assert kept.startswith(f"Namn: {MASK * 3} {MASK * 5}")
        assert "Göteborg" in kept
    # The id still belongs to the original bytes: a late retry changes nothing.
    assert await store(client, ESSAY, TEXT, holder="b1") == text_id
    answer = await client.get(f"/internal/v1/content/{text_id}", headers=AUTH)
    assert "Åsa" not in (await answer.get_data()).decode()
    rerun = await erase(client, holder="b1", delete=[raw_id], redact=[text_id], terms=terms)
    assert rerun == {"deleted": 0, "kept_for_other_holders": 0, "redacted": 0}


async def test_a_blob_that_is_not_text_is_let_go_instead_of_redacted(client: Any) -> None:
    raw_id = await store(client, RAW, {**AUTH, "Content-Type": "application/pdf"}, holder="b1")
    result = await erase(client, holder="b1", redact=[raw_id], terms=["Åsa"])
    assert result["deleted"] == 1
    assert await status_of(client, raw_id) == 404


async def test_a_text_derived_from_an_erased_one_is_refused(client: Any) -> None:
    text_id = await store(client, ESSAY, TEXT, holder="b1")
    await erase(client, holder="b1", delete=[text_id])
    answer = await client.post(
        "/internal/v1/content",
        data=CORRECTED,
        headers=TEXT,
        query_string={"holder": "b1", "derived_from": text_id},
    )
    assert answer.status_code == 404
    body = await answer.get_json()
    assert body["error"]["code"] == "CONTENT_NOT_FOUND"
    assert await status_of(client, hashlib.sha256(CORRECTED).hexdigest()) == 404


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ({"holder": "../etc"}, None),
        ({"derived_from": "x"}, None),
        (None, {"holder": "b1", "delete": ["not-an-id"]}),
        (None, {"holder": "b1", "redact": ["a" * 64], "terms": []}),
        (None, {"holder": "b1", "unknown": True}),
    ],
)
async def test_malformed_requests_are_422(
    client: Any, engine: AsyncEngine, query: dict[str, str] | None, body: dict[str, Any] | None
) -> None:
    if body is None:
        answer = await client.post(
            "/internal/v1/content", data=ESSAY, headers=TEXT, query_string=query
        )
    else:
        answer = await client.post("/internal/v1/content/erasures", json=body, headers=AUTH)
    assert answer.status_code == 422
    assert (await answer.get_json())["error"]["code"] == "VALIDATION_ERROR"
    assert await count(engine, content_items) == 0


async def test_erasure_needs_the_internal_key(client: Any) -> None:
    answer = await client.post("/internal/v1/content/erasures", json={"holder": "b1"})
    assert answer.status_code == 401
