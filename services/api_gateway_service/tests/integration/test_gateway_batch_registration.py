"""Registering a batch with a class over real HTTP: the class id checked at the gateway, and
the class refusals BOS answers documented in the OpenAPI schema."""

from __future__ import annotations

import json

import aiohttp
import pytest

from huleedu_testing import random_id
from huleedu_testing.gateway.harness import GatewayFactory, call

BATCH_BODY = {
    "course_code": "SV1",
    "essay_instructions": "Skriv om sommaren.",
    "expected_essay_count": 2,
}


@pytest.mark.parametrize("class_id", ["../summary", "a\x00b", "9A engelska", "-9a", "klass/9a"])
async def test_malformed_class_id_is_422_without_calling_bos(
    gateway_factory: GatewayFactory,
    http: aiohttp.ClientSession,
    user_ids: tuple[str, str],
    class_id: str,
) -> None:
    gw = await gateway_factory()
    body = {**BATCH_BODY, "class_id": class_id}

    status, answer = await call(
        http, "POST", f"{gw.url}/v1/batches", json=body, headers=gw.auth(user_ids[0])
    )

    assert (status, answer["error"]["code"]) == (422, "VALIDATION_ERROR")
    [error] = answer["error"]["details"]["errors"]
    assert error["loc"] == ["body", "class_id"]
    assert gw.bos.seen == []


async def test_well_formed_class_id_reaches_bos(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    class_id = random_id()

    status, created = await call(
        http,
        "POST",
        f"{gw.url}/v1/batches",
        json={**BATCH_BODY, "class_id": class_id},
        headers=gw.auth(user_ids[0]),
    )

    assert status == 201, created
    assert created["class_id"] == class_id
    assert json.loads(gw.bos.seen[-1].body)["class_id"] == class_id


async def test_openapi_documents_the_class_refusals_of_register_batch(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    gw = await gateway_factory()

    status, spec = await call(http, "GET", f"{gw.url}/openapi.json")

    assert status == 200
    responses = spec["paths"]["/v1/batches"]["post"]["responses"]
    for code in ("404", "422", "503"):
        schema = responses[code]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}, code
    assert "CLASS_NOT_FOUND" in responses["404"]["description"]
    assert "MIXED_COURSES" in responses["422"]["description"]
    assert "class service" in responses["503"]["description"]
    class_id = spec["components"]["schemas"]["CreateBatchRequest"]["properties"]["class_id"]
    patterns = [branch.get("pattern") for branch in class_id["anyOf"]]
    assert r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$" in patterns
