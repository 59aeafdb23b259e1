"""The JSON body limit over real HTTP: declared and chunked bodies refused with 413 before any
downstream call; uploads and roster imports keep their own, larger limits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp

from huleedu_testing import random_id
from huleedu_testing.gateway.harness import GatewayFactory, call
from huleedu_testing.gateway.stub_downstreams import StubBatch

LIMIT = 1000
BOUNDARY = "bodyLimitBoundary4kq"


def padded_batch_body(size: int) -> bytes:
    """A valid registration body of exactly `size` bytes (long instructions)."""
    head, tail = b'{"course_code": "SV1", "expected_essay_count": 2, "essay_instructions": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


async def test_json_body_within_the_limit_is_served(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(max_json_body_bytes=LIMIT)
    headers = {**gw.auth(user_ids[0]), "Content-Type": "application/json"}

    status, body = await call(
        http, "POST", f"{gw.url}/v1/batches", data=padded_batch_body(LIMIT), headers=headers
    )

    assert status == 201, body
    assert len(gw.bos.seen) == 1


async def test_content_length_over_the_limit_is_413_before_any_downstream_call(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(max_json_body_bytes=LIMIT)
    headers = {**gw.auth(user_ids[0]), "Content-Type": "application/json"}

    async with http.post(
        f"{gw.url}/v1/batches", data=padded_batch_body(LIMIT + 1), headers=headers
    ) as r:
        status, body = r.status, await r.json()
        correlation = r.headers["X-Correlation-ID"]

    assert status == 413
    assert body["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert body["error"]["details"] == {"limit_bytes": LIMIT}
    assert body["error"]["service"] == "api_gateway_service"
    assert body["error"]["correlation_id"] == correlation
    assert gw.bos.seen == []


async def test_chunked_json_body_is_cut_off_with_413_once_past_the_limit(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(max_json_body_bytes=LIMIT)
    teacher, _ = user_ids
    headers = {**gw.auth(teacher), "Content-Type": "application/json"}

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 400

    status, body = await call(http, "POST", f"{gw.url}/v1/classes", data=chunks(), headers=headers)

    assert (status, body["error"]["code"]) == (413, "PAYLOAD_TOO_LARGE")
    assert body["error"]["details"]["limit_bytes"] == LIMIT
    assert gw.classes.seen == []


async def test_upload_keeps_its_own_limit_above_the_json_limit(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(max_json_body_bytes=LIMIT, max_upload_bytes=50_000)
    teacher, _ = user_ids
    batch_id = random_id()
    gw.files.batches[batch_id] = StubBatch(teacher)
    body = (
        (
            f"--{BOUNDARY}\r\n"
            'Content-Disposition: form-data; name="files"; filename="uppsats.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        ).encode()
        + b"Det var en gang. " * 1000
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    headers = {**gw.auth(teacher), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}

    status, answer = await call(
        http, "POST", f"{gw.url}/v1/batches/{batch_id}/files", data=body, headers=headers
    )

    assert len(body) > LIMIT
    assert status == 201, answer
    assert gw.files.seen[-1].body == body


async def test_roster_import_keeps_its_own_limit_above_the_json_limit(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(max_json_body_bytes=LIMIT, roster_max_bytes=50_000)
    teacher, _ = user_ids
    url = f"{gw.url}/v1/classes/{gw.classes.add_class(teacher)}/roster"
    csv = b"first_name,last_name,email\n" + b"".join(
        f"Elev{n},Efternamn{n},elev{n}@skola.se\n".encode() for n in range(100)
    )
    headers = {**gw.auth(teacher), "Content-Type": "text/csv"}

    status, answer = await call(http, "POST", url, data=csv, headers=headers)

    assert len(csv) > LIMIT
    assert status == 201, answer
    assert gw.classes.seen[-1].body == csv
