"""GET /v1/batches/{batch_id}/essays/{essay_id}/text: the owner's original essay text."""

from __future__ import annotations

import aiohttp

from huleedu_testing import random_id
from huleedu_testing.gateway.harness import GatewayFactory, call
from huleedu_testing.gateway.stub_downstreams import ESSAY_TEXT, StubBatch

TEXT_PATH = "/v1/batches/{batch_id}/essays/{essay_id}/text"


async def test_the_owner_reads_the_text_through_the_result_aggregator(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    batch_id, essay_id = random_id(), random_id()
    gw.results.batches[batch_id] = StubBatch(teacher, essay_ids=[essay_id])

    status, body = await call(
        http,
        "GET",
        gw.url + TEXT_PATH.format(batch_id=batch_id, essay_id=essay_id),
        headers=gw.auth(teacher),
    )

    assert status == 200, body
    assert body["text"] == ESSAY_TEXT
    assert (body["essay_id"], body["batch_id"], body["text_storage_id"]) == (
        essay_id,
        batch_id,
        "a" * 64,
    )
    assert body["char_count"] == len(ESSAY_TEXT)
    [seen] = gw.results.seen
    assert seen.path == f"/internal/v1/batches/{batch_id}/essays/{essay_id}/text"
    assert seen.headers["X-User-ID"] == teacher
    assert seen.headers["X-Internal-API-Key"] == gw.settings.internal_api_key


async def test_someone_elses_essay_text_is_the_same_404_as_an_unknown_one(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    owner, stranger = user_ids
    foreign, unknown = random_id(), random_id()
    gw.results.batches[foreign] = StubBatch(owner)

    answers = []
    for batch_id in (foreign, unknown):
        url = gw.url + TEXT_PATH.format(batch_id=batch_id, essay_id="essay-1")
        status, body = await call(http, "GET", url, headers=gw.auth(stranger))
        body["error"].pop("correlation_id")
        answers.append((status, str(body).replace(batch_id, "<batch>")))

    assert answers[0] == answers[1]
    assert answers[0][0] == 404


async def test_bad_ids_and_missing_tokens_never_reach_the_result_aggregator(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    bad = await call(
        http, "GET", gw.url + "/v1/batches/b%20x/essays/e/text", headers=gw.auth(teacher)
    )
    anonymous = await call(http, "GET", gw.url + TEXT_PATH.format(batch_id="b", essay_id="e"))
    assert (bad[0], bad[1]["error"]["code"]) == (422, "VALIDATION_ERROR")
    assert (anonymous[0], anonymous[1]["error"]["code"]) == (401, "UNAUTHORIZED")
    assert gw.results.seen == []


async def test_the_route_is_in_the_openapi_schema_with_its_model(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    gw = await gateway_factory()
    status, spec = await call(http, "GET", gw.url + "/openapi.json")
    assert status == 200
    operation = spec["paths"]["/v1/batches/{batch_id}/essays/{essay_id}/text"]["get"]
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/EssayTextV1"}
    assert "CONTENT_NOT_FOUND" in operation["responses"]["404"]["description"]
    model = spec["components"]["schemas"]["EssayTextV1"]
    assert {"text", "text_storage_id", "essay_id", "batch_id"} <= set(model["required"])
