"""Pipeline requests under an Idempotency-Key over real HTTP and Kafka (BOS is a stub)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import aiohttp
from multidict import CIMultiDict

from api_gateway_service.domain.pipeline_requests import request_id_for
from common_core.enums import BatchStatus, PhaseName, PipelineRequestOutcome
from common_core.internal_api import PipelineRequestRecordV1
from huleedu_testing import random_id
from huleedu_testing.fixtures import TopicFactory
from huleedu_testing.gateway.harness import Gateway, GatewayFactory
from huleedu_testing.gateway.stub_downstreams import StubBatch
from huleedu_testing.kafka_helpers import read_topic
from huleedu_testing.servers import free_port

SPELLCHECK = {"pipeline": "spellcheck"}


async def post_pipeline(
    http: aiohttp.ClientSession, gw: Gateway, teacher: str, batch_id: str, key: str | None
) -> tuple[int, dict[str, object], CIMultiDict[str]]:
    headers = gw.auth(teacher) | ({"Idempotency-Key": key} if key is not None else {})
    url = f"{gw.url}/v1/batches/{batch_id}/pipelines"
    async with http.post(url, json=SPELLCHECK, headers=headers) as r:
        return r.status, await r.json(), r.headers.copy()


async def test_a_request_without_a_key_gets_one_and_the_command_carries_it(
    gateway_factory: GatewayFactory,
    http: aiohttp.ClientSession,
    user_ids: tuple[str, str],
    make_topic: TopicFactory,
) -> None:
    topic = await make_topic("gateway-pipeline-keys", with_dlq=False)
    gw = await gateway_factory(pipeline_topic=topic)
    teacher, _ = user_ids
    batch_id = random_id()
    gw.bos.batches[batch_id] = StubBatch(teacher, status=BatchStatus.READY_FOR_PIPELINE)

    status, body, headers = await post_pipeline(http, gw, teacher, batch_id, None)

    assert status == 202, body
    key = str(body["idempotency_key"])
    assert uuid.UUID(key).version == 4
    assert headers["Idempotency-Key"] == key
    assert body["request_id"] == request_id_for(teacher, batch_id, key)
    assert body["replayed"] is False
    [record] = await read_topic(gw.settings.kafka_bootstrap_servers, topic, expected=1)
    data = json.loads(record.value)["data"]
    assert (data["idempotency_key"], data["client_request_id"]) == (key, body["request_id"])
    asked = [s for s in gw.bos.seen if s.path.endswith("/pipeline-state")]
    assert asked[-1].headers["X-User-ID"] == teacher


async def test_a_retry_after_bos_accepted_the_key_is_the_same_202_and_sends_nothing(
    gateway_factory: GatewayFactory,
    http: aiohttp.ClientSession,
    user_ids: tuple[str, str],
    make_topic: TopicFactory,
) -> None:
    topic = await make_topic("gateway-pipeline-keys", with_dlq=False)
    gw = await gateway_factory(pipeline_topic=topic)
    teacher, other = user_ids
    batch_id, key = random_id(), random_id()
    batch = StubBatch(teacher, status=BatchStatus.READY_FOR_PIPELINE)
    gw.bos.batches[batch_id] = batch
    status, first, _ = await post_pipeline(http, gw, teacher, batch_id, key)
    assert status == 202, first
    # BOS consumed the command: the pipeline runs and the key is recorded as accepted.
    batch.status = BatchStatus.PROCESSING
    batch.handled[(teacher, key)] = PipelineRequestRecordV1(
        idempotency_key=key,
        request_id=str(first["request_id"]),
        pipeline=PhaseName.SPELLCHECK,
        outcome=PipelineRequestOutcome.ACCEPTED,
        correlation_id=str(first["correlation_id"]),
        handled_at=datetime.now(UTC),
    )

    status, retry, headers = await post_pipeline(http, gw, teacher, batch_id, key)
    other_status, _, _ = await post_pipeline(http, gw, teacher, batch_id, random_id())
    stranger_status, _, _ = await post_pipeline(http, gw, other, batch_id, key)

    assert status == 202, retry
    assert retry["request_id"] == first["request_id"]
    assert retry["correlation_id"] == first["correlation_id"]
    assert retry["replayed"] is True
    assert headers["Idempotency-Key"] == key
    assert other_status == 409  # another key: the pipeline really is running already
    assert stranger_status == 404
    records = await read_topic(gw.settings.kafka_bootstrap_servers, topic, expected=2)
    assert len(records) == 1


async def test_a_malformed_key_is_refused_before_any_call(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    gw = await gateway_factory()
    teacher, _ = user_ids
    batch_id = random_id()
    gw.bos.batches[batch_id] = StubBatch(teacher, status=BatchStatus.READY_FOR_PIPELINE)

    for bad in ("has space", "k" * 256, ""):
        status, body, _ = await post_pipeline(http, gw, teacher, batch_id, bad)
        assert status == 422, (bad, body)
        assert body["error"]["code"] == "VALIDATION_ERROR"  # type: ignore[index]

    assert gw.bos.seen == []


async def test_an_unconfirmed_publish_is_a_503_that_says_the_outcome_is_unknown(
    gateway_factory: GatewayFactory, http: aiohttp.ClientSession, user_ids: tuple[str, str]
) -> None:
    nobody = f"127.0.0.1:{free_port()}"
    gw = await gateway_factory(kafka_bootstrap_servers=nobody, kafka_publish_timeout_seconds=1.0)
    teacher, _ = user_ids
    batch_id, key = random_id(), random_id()
    gw.bos.batches[batch_id] = StubBatch(teacher, status=BatchStatus.READY_FOR_PIPELINE)

    status, body, headers = await post_pipeline(http, gw, teacher, batch_id, key)

    assert status == 503, body
    error = body["error"]
    assert error["code"] == "SERVICE_UNAVAILABLE"  # type: ignore[index]
    assert "same Idempotency-Key is safe" in error["message"]  # type: ignore[index]
    details = error["details"]  # type: ignore[index]
    assert details["outcome"] == "unknown"
    assert details["retry_safe"] is True
    assert details["idempotency_key"] == key
    assert details["request_id"] == request_id_for(teacher, batch_id, key)
    assert int(headers["Retry-After"]) >= 1
    assert headers["Idempotency-Key"] == key
