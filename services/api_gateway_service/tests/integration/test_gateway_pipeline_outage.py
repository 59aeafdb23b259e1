"""Issue 12.2: a pipeline request answered 503 during a Kafka outage was run anyway.

The gateway, the real Batch Orchestrator (HTTP API and worker, its migrated schema) and a
private Kafka broker this test stops. While the broker is down a pipeline request is answered
503 (outcome unknown), yet the producer keeps the record and delivers it once the broker is
back, so the orchestrator starts the pipeline. The teacher's retry under the same
Idempotency-Key must then get the original outcome (202, the same request id), and the
orchestrator must have applied one command and started one phase.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

import batch_orchestrator_service
from api_gateway_service.auth import TokenIssuer
from api_gateway_service.config import GatewaySettings
from api_gateway_service.domain.pipeline_requests import request_id_for
from batch_orchestrator_service.app import create_app as create_bos_app
from batch_orchestrator_service.config import BatchOrchestratorSettings
from batch_orchestrator_service.worker import create_worker_app
from common_core.enums import CourseCode
from common_core.envelope import EventEnvelope
from common_core.events import (
    BatchEssaysReadyV1,
    BatchPipelineDeniedV1,
    BatchSpellcheckInitiateCommandV1,
    ClientBatchPipelineRequestV1,
    EssayRef,
)
from common_core.topics import topic_for
from huleedu_service_libs.config import Environment
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.kafka.admin import ensure_topics
from huleedu_service_libs.kafka.headers import decode_headers
from huleedu_testing import random_id, random_name
from huleedu_testing.gateway.harness import INTERNAL_KEY, JWT_SECRET, call, serve_gateway
from huleedu_testing.kafka_helpers import read_topic, wait_until
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.private_kafka import PrivateKafka
from huleedu_testing.servers import serve_in_background

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BOS_DIR = Path(batch_orchestrator_service.__file__).resolve().parents[1]
PUBLISH_TIMEOUT_SECONDS = 3.0
RESTART_SECONDS = 120.0


@pytest.fixture(scope="module")
def private_kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateKafka]:
    broker = PrivateKafka(tmp_path_factory.mktemp("pipeline-outage-kafka"))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@dataclass
class Platform:
    """The gateway over the real orchestrator; the broker; a teacher; the orchestrator's schema."""

    url: str
    settings: GatewaySettings
    http: aiohttp.ClientSession
    broker: PrivateKafka
    events: KafkaEventProducer
    engine: AsyncEngine
    teacher: str

    def auth(self) -> dict[str, str]:
        dev = self.settings.model_copy(update={"environment": Environment.DEVELOPMENT})
        return {"Authorization": f"Bearer {TokenIssuer(dev).issue(self.teacher)[0]}"}

    async def ready_batch(self) -> str:
        """Register a batch through the gateway; announce its essays as ELS does."""
        body = {"course_code": "SV1", "essay_instructions": "Skriv.", "expected_essay_count": 2}
        status, batch = await call(
            self.http, "POST", f"{self.url}/v1/batches", json=body, headers=self.auth()
        )
        assert status == 201, batch
        ready = BatchEssaysReadyV1(
            batch_id=batch["batch_id"],
            user_id=self.teacher,
            course_code=CourseCode.SV1,
            ready_essays=[
                EssayRef(essay_id=essay_id, text_storage_id=f"text-{essay_id}")
                for essay_id in batch["essay_ids"]
            ],
        )
        envelope = EventEnvelope.wrap(ready, source_service="els-stand-in", correlation_id="c")
        await self.events.publish(envelope, key=batch["batch_id"])
        await self.until_status(batch["batch_id"], "ready_for_pipeline")
        return str(batch["batch_id"])

    async def request(self, batch_id: str, key: str) -> tuple[int, Any, Any]:
        """POST the spellcheck pipeline under `key`: status, body, headers."""
        headers = {**self.auth(), "Idempotency-Key": key}
        url = f"{self.url}/v1/batches/{batch_id}/pipelines"
        async with self.http.post(url, json={"pipeline": "spellcheck"}, headers=headers) as r:
            return r.status, json.loads(await r.read()), r.headers.copy()

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.engine.connect() as conn:
            return await conn.scalar(text(sql), params)

    async def until_status(self, batch_id: str, status: str, seconds: float = 30.0) -> None:
        async def reached() -> bool:
            found = await self.scalar("SELECT status FROM batches WHERE batch_id = :b", b=batch_id)
            return bool(found == status)

        await wait_until(reached, timeout_seconds=seconds, what=f"batch {status}")

    async def records_for(self, model: type[Any], batch_id: str, expected: int) -> list[Any]:
        """Records of `model`'s topic about the batch (settling, so extra copies show up)."""
        found = await read_topic(
            self.broker.bootstrap_servers,
            topic_for(model),
            expected=expected,
            timeout_seconds=10.0 if expected else 3.0,
            settle_seconds=2.0,
        )
        return [
            r
            for r in found
            if decode_headers(r.headers).get("event_type") == model.__name__
            and json.loads(r.value)["data"]["batch_id"] == batch_id
        ]


@pytest.fixture
async def platform(pg_engine: AsyncEngine, private_kafka: PrivateKafka) -> AsyncIterator[Platform]:
    await ensure_topics(private_kafka.bootstrap_servers, partitions=1)
    await upgrade_to_head(pg_engine, BOS_DIR)
    async with pg_engine.connect() as conn:
        schema = str(await conn.scalar(text("SHOW search_path"))).strip('"')
    bos_settings = BatchOrchestratorSettings(
        environment=Environment.TEST,
        internal_api_key=INTERNAL_KEY,
        database_schema=schema,
        kafka_bootstrap_servers=private_kafka.bootstrap_servers,
        kafka_consumer_group=random_name("bos-outage"),
        outbox_poll_interval_seconds=0.5,
        log_level="WARNING",
    )
    _worker_app, worker = create_worker_app(bos_settings, pg_engine)
    events = KafkaEventProducer(private_kafka.bootstrap_servers, client_id="els-stand-in")
    await events.start()
    await worker.start()
    try:
        async with (
            serve_in_background(create_bos_app(bos_settings, pg_engine), bos_settings) as bos_url,
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http,
        ):
            settings = GatewaySettings(
                environment="test",
                internal_api_key=INTERNAL_KEY,
                jwt_secret=JWT_SECRET,
                bos_url=bos_url,
                file_service_url=bos_url,
                result_aggregator_url=bos_url,
                class_management_url=bos_url,
                kafka_bootstrap_servers=private_kafka.bootstrap_servers,
                kafka_publish_timeout_seconds=PUBLISH_TIMEOUT_SECONDS,
                notification_consumer_group=random_name("gateway-outage"),
                log_level="WARNING",
            )
            async with serve_gateway(settings) as url:
                yield Platform(url, settings, http, private_kafka, events, pg_engine, random_id())
    finally:
        await worker.stop()
        await events.stop()


async def test_a_503_pipeline_request_runs_once_and_its_retry_gets_the_original_answer(
    platform: Platform,
) -> None:
    # Before the outage: the gateway has published pipeline requests (it knows the topic).
    earlier, batch_id = await platform.ready_batch(), await platform.ready_batch()
    status, _, _ = await platform.request(earlier, random_id())
    assert status == 202
    await platform.until_status(earlier, "processing")

    key = random_id()
    await asyncio.to_thread(platform.broker.stop)
    try:
        status, body, headers = await platform.request(batch_id, key)
    finally:
        await asyncio.to_thread(platform.broker.start)

    assert status == 503, body
    details = body["error"]["details"]
    assert details["outcome"] == "unknown"
    assert details["retry_safe"] is True
    assert details["queued"] is True  # the record sat in the producer's buffer
    assert details["idempotency_key"] == key
    request_id = request_id_for(platform.teacher, batch_id, key)
    assert details["request_id"] == request_id
    assert int(headers["Retry-After"]) >= 1
    assert headers["Idempotency-Key"] == key

    # The defect's premise: the buffered record reaches Kafka and the orchestrator runs it.
    await platform.until_status(batch_id, "processing", seconds=RESTART_SECONDS)

    status, retry, headers = await platform.request(batch_id, key)
    assert status == 202, retry
    assert retry["request_id"] == request_id
    assert retry["replayed"] is True
    assert headers["Idempotency-Key"] == key

    commands = await platform.records_for(ClientBatchPipelineRequestV1, batch_id, expected=1)
    assert len(commands) == 1, "the retry was answered from the first request's outcome"
    starts = await platform.records_for(BatchSpellcheckInitiateCommandV1, batch_id, expected=1)
    assert len(starts) == 1
    assert await platform.records_for(BatchPipelineDeniedV1, batch_id, expected=0) == []
    assert (
        await platform.scalar(
            "SELECT count(*) FROM pipeline_requests WHERE batch_id = :b AND outcome = 'accepted'",
            b=batch_id,
        )
        == 1
    )
    assert (
        await platform.scalar("SELECT attempts FROM batch_phases WHERE batch_id = :b", b=batch_id)
        == 1
    )
