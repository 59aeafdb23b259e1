"""Review fixes over real HTTP: path ids refused at the gateway, slow uploaders spared."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import aiohttp
import pytest
from yarl import URL

from huleedu_testing import random_id
from huleedu_testing.gateway.harness import Gateway, GatewayFactory
from huleedu_testing.gateway.stub_downstreams import StubBatch

BAD_IDS = ["%00", "%2E%2E", ".", "a%00b", "a%20b", "-leading-dash", "x" * 65, "%C3%A5"]
BOUNDARY = "hardeningBoundary"


def _routes(good: str, bad: str) -> list[tuple[str, str]]:
    """Every route with a path id, with `bad` in each id position in turn."""
    return [
        ("GET", f"/v1/batches/{bad}"),
        ("GET", f"/v1/batches/{bad}/essays/{good}"),
        ("GET", f"/v1/batches/{good}/essays/{bad}"),
        ("GET", f"/v1/batches/{bad}/files"),
        ("POST", f"/v1/batches/{bad}/files"),
        ("DELETE", f"/v1/batches/{bad}/files/{good}"),
        ("DELETE", f"/v1/batches/{good}/files/{bad}"),
        ("POST", f"/v1/batches/{bad}/pipelines"),
    ]


def _no_downstream_calls(gw: Gateway) -> bool:
    return gw.bos.seen == [] and gw.files.seen == [] and gw.results.seen == []


@pytest.mark.parametrize("bad", BAD_IDS)
async def test_bad_path_ids_are_422_without_any_downstream_call(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, bad: str
) -> None:
    gw = await gateway_factory()
    headers = {**gw.auth(random_id()), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}

    for method, path in _routes(random_id(), bad):
        url = URL(f"{gw.url}{path}", encoded=True)
        async with http.request(method, url, headers=headers, data=b"{}") as r:
            assert r.status == 422, (method, path, r.status)
            assert (await r.json())["error"]["code"] == "VALIDATION_ERROR"

    assert _no_downstream_calls(gw)


async def test_encoded_slash_in_an_id_never_reaches_a_downstream(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    gw = await gateway_factory()
    headers = gw.auth(random_id())

    for method, path in _routes(random_id(), "a%2F..%2F..%2Finternal"):
        url = URL(f"{gw.url}{path}", encoded=True)
        async with http.request(method, url, headers=headers, data=b"{}") as r:
            # Routed on the decoded path: no route (404/405) or a refused id (422).
            assert r.status in (404, 405, 422), (method, path, r.status)

    assert _no_downstream_calls(gw)


async def test_nul_id_floods_cannot_open_the_breaker(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(breaker_fail_max=2)
    teacher, _ = user_ids
    nul_url = URL(f"{gw.url}/v1/batches/%00", encoded=True)
    for _ in range(5):
        async with http.get(nul_url, headers=gw.auth(teacher)) as r:
            assert r.status == 422

    async with http.get(f"{gw.url}/v1/batches/{random_id()}", headers=gw.auth(teacher)) as r:
        assert r.status == 404


async def test_platform_ids_are_accepted(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    batch_id = str(uuid.uuid4())
    gw.files.batches[batch_id] = StubBatch(teacher)

    async with http.get(f"{gw.url}/v1/batches/{batch_id}/files", headers=gw.auth(teacher)) as r:
        assert r.status == 200
    async with http.get(f"{gw.url}/v1/batches/{uuid.uuid4().hex}", headers=gw.auth(teacher)) as r:
        assert r.status == 404


async def test_openapi_documents_the_id_pattern_and_422(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    gw = await gateway_factory()
    async with http.get(f"{gw.url}/openapi.json") as r:
        spec = await r.json()

    operation = spec["paths"]["/v1/batches/{batch_id}/essays/{essay_id}"]["get"]
    patterns = {p["name"]: p["schema"].get("pattern") for p in operation["parameters"]}
    assert patterns["batch_id"]
    assert patterns["essay_id"]
    assert operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorBody"
    )


def _multipart(content: bytes) -> list[bytes]:
    head = (
        f"--{BOUNDARY}\r\n"
        'Content-Disposition: form-data; name="files"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    return [head, content, f"\r\n--{BOUNDARY}--\r\n".encode()]


async def _trickle(parts: list[bytes], pause: float) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
        await asyncio.sleep(pause)


def _upload_headers(gw: Gateway, teacher: str) -> dict[str, str]:
    return {**gw.auth(teacher), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


async def test_slow_but_steady_uploader_outlasts_the_response_timeout(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(upload_timeout_seconds=0.5, upload_body_timeout_seconds=30)
    teacher, _ = user_ids
    batch_id = random_id()
    gw.files.batches[batch_id] = StubBatch(teacher)

    async with http.post(
        f"{gw.url}/v1/batches/{batch_id}/files",
        data=_trickle(_multipart(b"Sommar."), pause=0.4),
        headers=_upload_headers(gw, teacher),
    ) as r:
        assert r.status == 201


async def test_uploader_too_slow_is_408_and_spares_the_file_service_breaker(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(upload_body_timeout_seconds=0.3, breaker_fail_max=2)
    teacher, _ = user_ids
    batch_id = random_id()
    gw.files.batches[batch_id] = StubBatch(teacher)

    for _ in range(3):
        async with http.post(
            f"{gw.url}/v1/batches/{batch_id}/files",
            data=_trickle(_multipart(b"Sommar."), pause=1.0),
            headers=_upload_headers(gw, teacher),
        ) as r:
            assert r.status == 408
            assert (await r.json())["error"]["code"] == "TIMEOUT"

    async with http.get(f"{gw.url}/v1/batches/{batch_id}/files", headers=gw.auth(teacher)) as r:
        assert r.status == 200
