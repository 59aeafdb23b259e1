"""The gateway over real HTTP: auth, ownership, streamed uploads, limits, outages, Kafka, docs."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import redis.asyncio as aioredis

from common_core.enums import BatchStatus
from huleedu_testing import random_id
from huleedu_testing.fixtures import TopicFactory
from huleedu_testing.gateway.harness import GatewayFactory
from huleedu_testing.gateway.stub_downstreams import StubBatch
from huleedu_testing.kafka_helpers import read_topic

BATCH_BODY = {
    "course_code": "SV1",
    "essay_instructions": "Skriv om sommaren.",
    "expected_essay_count": 2,
}


def _normalised(body: dict[str, Any], batch_id: str) -> str:
    error = dict(body["error"])
    error.pop("correlation_id")
    return json.dumps(error, sort_keys=True).replace(batch_id, "<batch>")


async def test_register_then_read_and_list_own_batch(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids

    async with http.post(f"{gw.url}/v1/batches", json=BATCH_BODY, headers=gw.auth(teacher)) as r:
        assert r.status == 201
        created = await r.json()
    async with http.get(
        f"{gw.url}/v1/batches/{created['batch_id']}", headers=gw.auth(teacher)
    ) as r:
        assert r.status == 200
        assert (await r.json())["user_id"] == teacher
    async with http.get(f"{gw.url}/v1/batches?limit=5", headers=gw.auth(teacher)) as r:
        listing = await r.json()

    assert [item["batch_id"] for item in listing["items"]] == [created["batch_id"]]
    sent = gw.bos.seen[0].headers
    assert sent["X-User-ID"] == teacher
    assert sent["X-Internal-API-Key"] == gw.settings.internal_api_key


async def test_client_cannot_choose_its_downstream_user_id(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, other = user_ids
    headers = {**gw.auth(teacher), "X-User-ID": other}

    async with http.get(f"{gw.url}/v1/batches", headers=headers) as r:
        assert r.status == 200

    assert gw.results.seen[-1].headers["X-User-ID"] == teacher


async def test_missing_token_is_401_without_calling_downstream(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    gw = await gateway_factory()

    async with http.get(f"{gw.url}/v1/batches") as r:
        assert r.status == 401
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
        assert (await r.json())["error"]["code"] == "UNAUTHORIZED"
    assert gw.results.seen == []


async def test_foreign_and_missing_batches_answer_identical_404s(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    owner, stranger = user_ids
    foreign, missing = random_id(), random_id()
    for stub in (gw.bos, gw.files, gw.results):
        stub.batches[foreign] = StubBatch(owner, status=BatchStatus.READY_FOR_PIPELINE)
    requests = [
        ("GET", "/v1/batches/{id}", None),
        ("GET", "/v1/batches/{id}/essays/essay-1", None),
        ("GET", "/v1/batches/{id}/files", None),
        ("DELETE", "/v1/batches/{id}/files/file-1", None),
        ("POST", "/v1/batches/{id}/pipelines", {"pipeline": "spellcheck"}),
    ]

    for method, template, body in requests:
        answers = []
        for batch_id in (foreign, missing):
            url = gw.url + template.format(id=batch_id)
            async with http.request(method, url, json=body, headers=gw.auth(stranger)) as r:
                answers.append((r.status, _normalised(await r.json(), batch_id)))
        assert answers[0] == answers[1], template
        assert answers[0][0] == 404


async def test_upload_is_streamed_byte_for_byte_with_utf8_filename(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    batch_id = random_id()
    gw.files.batches[batch_id] = StubBatch(teacher)
    boundary = "gatewayBoundary7MA4YWxkTrZu0gW"
    content = ("Det var en gång en sommar. " * 4000).encode()
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="files"; filename="Åsa_uppsats.docx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {**gw.auth(teacher), "Content-Type": f"multipart/form-data; boundary={boundary}"}

    async with http.post(f"{gw.url}/v1/batches/{batch_id}/files", data=body, headers=headers) as r:
        assert r.status == 201
        assert (await r.json())["accepted_count"] == 1

    received = gw.files.seen[-1]
    assert received.body == body
    assert "Åsa_uppsats.docx".encode() in received.body
    assert received.headers["Content-Type"] == headers["Content-Type"]
    assert received.headers["X-User-ID"] == teacher


async def test_oversized_content_length_is_413_before_any_downstream_call(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(max_upload_bytes=1000)
    teacher, _ = user_ids
    headers = {**gw.auth(teacher), "Content-Type": "multipart/form-data; boundary=abc"}

    async with http.post(
        f"{gw.url}/v1/batches/{random_id()}/files", data=b"x" * 2000, headers=headers
    ) as r:
        assert r.status == 413
        assert (await r.json())["error"]["code"] == "PAYLOAD_TOO_LARGE"

    assert gw.files.seen == []


async def test_chunked_upload_over_the_limit_is_cut_off_with_413(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(max_upload_bytes=10_000)
    teacher, _ = user_ids
    batch_id = random_id()
    gw.files.batches[batch_id] = StubBatch(teacher)
    headers = {**gw.auth(teacher), "Content-Type": "multipart/form-data; boundary=abc"}

    async def chunks() -> Any:
        for _ in range(10):
            yield b"y" * 4096

    async with http.post(
        f"{gw.url}/v1/batches/{batch_id}/files", data=chunks(), headers=headers
    ) as r:
        assert r.status == 413

    assert all(len(s.body) <= 10_000 for s in gw.files.seen)


async def test_non_multipart_upload_is_415(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids

    async with http.post(
        f"{gw.url}/v1/batches/{random_id()}/files", json={"files": []}, headers=gw.auth(teacher)
    ) as r:
        assert r.status == 415


async def test_rate_limit_answers_429_with_retry_after_using_redis(
    gateway_factory: GatewayFactory,
    http: aiohttp.ClientSession,
    user_ids: tuple[str, str],
    redis_client: aioredis.Redis,
) -> None:
    gw = await gateway_factory(rate_limit_read="3/minute", service_name="gw_" + random_id()[:8])
    teacher, other = user_ids

    statuses = []
    for _ in range(4):
        async with http.get(f"{gw.url}/v1/batches", headers=gw.auth(teacher)) as r:
            statuses.append(r.status)
            last_headers, last_body = r.headers, await r.json()
    async with http.get(f"{gw.url}/v1/batches", headers=gw.auth(other)) as r:
        other_status = r.status

    assert statuses == [200, 200, 200, 429]
    assert 1 <= int(last_headers["Retry-After"]) <= 60
    assert last_body["error"]["code"] == "RATE_LIMITED"
    assert other_status == 200
    keys = [k async for k in redis_client.scan_iter(match=f"*{gw.settings.service_name}*")]
    assert keys


async def test_stopped_downstream_is_503_and_opens_the_breaker(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory(breaker_fail_max=2, breaker_reset_seconds=60)
    teacher, _ = user_ids
    await gw.results.stop()

    reasons = []
    for _ in range(3):
        async with http.get(f"{gw.url}/v1/batches/{random_id()}", headers=gw.auth(teacher)) as r:
            assert r.status == 503
            assert int(r.headers["Retry-After"]) >= 1
            reasons.append((await r.json())["error"]["details"]["reason"])
    async with http.get(f"{gw.url}/healthz") as r:
        healthy = r.status

    assert reasons == ["unreachable", "unreachable", "circuit_open"]
    assert healthy == 200  # a downstream outage is not the gateway's ill health


async def test_pipeline_request_lands_on_kafka_with_batch_key(
    gateway_factory: GatewayFactory,
    http: aiohttp.ClientSession,
    user_ids: tuple[str, str],
    make_topic: TopicFactory,
) -> None:
    topic = await make_topic("gateway-pipeline", with_dlq=False)
    gw = await gateway_factory(pipeline_topic=topic)
    teacher, _ = user_ids
    batch_id = random_id()
    gw.bos.batches[batch_id] = StubBatch(teacher, status=BatchStatus.READY_FOR_PIPELINE)

    async with http.post(
        f"{gw.url}/v1/batches/{batch_id}/pipelines",
        json={"pipeline": "spellcheck"},
        headers=gw.auth(teacher),
    ) as r:
        assert r.status == 202
        accepted = await r.json()

    records = await read_topic(gw.settings.kafka_bootstrap_servers, topic, expected=1)
    assert len(records) == 1
    assert records[0].key == batch_id.encode()
    envelope = json.loads(records[0].value)
    assert envelope["event_type"] == "ClientBatchPipelineRequestV1"
    assert envelope["correlation_id"] == accepted["correlation_id"]
    assert envelope["data"]["user_id"] == teacher
    assert envelope["data"]["client_request_id"] == accepted["request_id"]


async def test_grammar_pipeline_with_disabled_categories_lands_on_kafka(
    gateway_factory: GatewayFactory,
    http: aiohttp.ClientSession,
    user_ids: tuple[str, str],
    make_topic: TopicFactory,
) -> None:
    topic = await make_topic("gateway-pipeline-grammar", with_dlq=False)
    gw = await gateway_factory(pipeline_topic=topic)
    teacher, _ = user_ids
    batch_id = random_id()
    gw.bos.batches[batch_id] = StubBatch(teacher, status=BatchStatus.READY_FOR_PIPELINE)
    url = f"{gw.url}/v1/batches/{batch_id}/pipelines"

    for body, field in (
        ({"pipeline": "grammar"}, "pipeline"),
        (
            {"pipeline": "spellcheck+grammar", "disabled_grammar_categories": ["TYPOS"]},
            "disabled_grammar_categories",
        ),
    ):
        async with http.post(url, json=body, headers=gw.auth(teacher)) as r:
            assert r.status == 422
            error = (await r.json())["error"]
        assert error["code"] == "VALIDATION_ERROR"
        assert field in json.dumps(error["details"]), error

    body = {"pipeline": "spellcheck+grammar", "disabled_grammar_categories": ["STYLE", "STYLE"]}
    async with http.post(url, json=body, headers=gw.auth(teacher)) as r:
        assert r.status == 202
        accepted = await r.json()
    assert accepted["pipeline"] == "spellcheck+grammar"
    assert accepted["disabled_grammar_categories"] == ["STYLE"]

    [record] = await read_topic(gw.settings.kafka_bootstrap_servers, topic, expected=1)
    data = json.loads(record.value)["data"]
    assert data["requested_pipeline"] == "spellcheck+grammar"
    assert data["disabled_grammar_categories"] == ["STYLE"]


async def test_pipeline_refused_while_not_ready_or_running(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    expected = {
        BatchStatus.AWAITING_CONTENT: ("PIPELINE_NOT_READY", "essays have not all arrived"),
        BatchStatus.AWAITING_STUDENT_VALIDATION: (
            "PIPELINE_NOT_READY",
            "authors must be confirmed first (GET /v1/batches/{id}/associations, "
            "then POST /v1/batches/{id}/associations/confirm)",
        ),
        BatchStatus.PROCESSING: ("PIPELINE_ALREADY_RUNNING", "already running"),
    }

    for status, (code, says) in expected.items():
        batch_id = random_id()
        gw.bos.batches[batch_id] = StubBatch(teacher, status=status)
        async with http.post(
            f"{gw.url}/v1/batches/{batch_id}/pipelines",
            json={"pipeline": "spellcheck"},
            headers=gw.auth(teacher),
        ) as r:
            assert r.status == 409
            error = (await r.json())["error"]
        assert error["code"] == code
        assert says.format(id=batch_id) in error["message"], error["message"]
        assert error["details"]["status"] == status.value


async def test_dev_tokens_only_in_development(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    dev = await gateway_factory(environment="development")
    test_env = await gateway_factory(environment="test")

    async with http.post(f"{dev.url}/v1/dev/tokens", json={"user_id": "teacher-x"}) as r:
        assert r.status == 201
        token = (await r.json())["access_token"]
    async with http.get(f"{dev.url}/v1/batches", headers={"Authorization": f"Bearer {token}"}) as r:
        assert r.status == 200
    async with http.post(f"{test_env.url}/v1/dev/tokens", json={"user_id": "teacher-x"}) as r:
        assert r.status == 404


async def test_healthz_checks_redis_and_kafka(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    gw = await gateway_factory()

    async with http.get(f"{gw.url}/healthz") as r:
        body = await r.json()

    assert r.status == 200, body
    assert {"redis", "kafka"} <= set(body["checks"])


async def test_openapi_documents_every_route_and_error(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession
) -> None:
    gw = await gateway_factory(environment="development")

    async with http.get(f"{gw.url}/openapi.json") as r:
        spec = await r.json()

    paths = spec["paths"]
    expected = {
        "/v1/dev/tokens": ["post"],
        "/v1/batches": ["get", "post"],
        "/v1/batches/{batch_id}": ["get"],
        "/v1/batches/{batch_id}/essays/{essay_id}": ["get"],
        "/v1/batches/{batch_id}/files": ["get", "post"],
        "/v1/batches/{batch_id}/files/{file_upload_id}": ["delete"],
        "/v1/batches/{batch_id}/pipelines": ["post"],
        "/v1/ws-tickets": ["post"],
    }
    for path, methods in expected.items():
        for method in methods:
            operation = paths[path][method]
            success = [s for s in operation["responses"] if s.startswith("2")]
            assert success, (path, method)
            assert "schema" in operation["responses"][success[0]]["content"]["application/json"]
            errors = [s for s in operation["responses"] if s[0] in "45"]
            for status in errors:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (path, method, status)
    assert "401" in paths["/v1/batches"]["get"]["responses"]
    assert "429" in paths["/v1/batches"]["get"]["responses"]
    assert "413" in paths["/v1/batches/{batch_id}/files"]["post"]["responses"]
    upload = paths["/v1/batches/{batch_id}/files"]["post"]["requestBody"]["content"]
    assert upload["multipart/form-data"]["schema"]["properties"]["files"]["type"] == "array"
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert paths["/v1/batches"]["get"]["security"] == [{"HTTPBearer": []}]
