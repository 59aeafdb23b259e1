"""The pipeline publisher when the broker does not confirm in time: 503 with the outcome unknown.

The fake producer behaves like aiokafka's: once a record is enqueued, its delivery future
resolves whenever a broker takes it, which may be long after the caller stopped waiting.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from structlog.testing import capture_logs

from api_gateway_service.adapters.pipeline_publisher import KafkaPipelinePublisher
from common_core.enums import PhaseName
from common_core.errors import ErrorCode
from common_core.events.batch import ClientBatchPipelineRequestV1
from huleedu_service_libs.errors import HuleEduError

pytestmark = pytest.mark.unit

COMMAND = ClientBatchPipelineRequestV1(
    batch_id="b-1",
    user_id="teacher-anna",
    requested_pipeline=PhaseName.SPELLCHECK,
    client_request_id="request-1",
    idempotency_key="key-1",
)


class SlowBrokerProducer:
    """Takes records at once; acks only when the test says the broker is back."""

    def __init__(self, *, start_hangs: bool = False) -> None:
        self.started = not start_hangs
        self.acks: list[asyncio.Future[Any]] = []
        self.records: list[tuple[str, bytes, str | bytes | None]] = []

    async def start(self) -> None:
        await asyncio.Event().wait()  # the broker never answers the connection

    async def enqueue(
        self, topic: str, *, value: bytes, key: str | bytes | None, headers: Any
    ) -> asyncio.Future[Any]:
        self.records.append((topic, value, key))
        ack: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.acks.append(ack)
        return ack

    async def publish(self, envelope: Any, *, key: str, topic: str | None = None) -> Any:
        ack = await self.enqueue(topic or "", value=b"", key=key, headers={})
        return await ack


def publisher(producer: SlowBrokerProducer) -> KafkaPipelinePublisher:
    return KafkaPipelinePublisher(
        producer,  # type: ignore[arg-type]
        topic="pipeline-topic",
        timeout_seconds=0.2,
        retry_after_seconds=7,
    )


async def test_an_unconfirmed_publish_is_a_503_that_names_the_key_and_says_retry_is_safe() -> None:
    producer = SlowBrokerProducer()

    with pytest.raises(HuleEduError) as caught:
        await publisher(producer).publish(COMMAND, "corr-1")

    error = caught.value
    assert error.status_code == 503
    assert error.code is ErrorCode.SERVICE_UNAVAILABLE
    assert "may or may not run" in error.message
    assert "same Idempotency-Key is safe" in error.message
    assert error.details["outcome"] == "unknown"
    assert error.details["retry_safe"] is True
    assert error.details["queued"] is True
    assert error.details["idempotency_key"] == "key-1"
    assert error.details["request_id"] == "request-1"
    assert error.headers == {"Retry-After": "7", "Idempotency-Key": "key-1"}


async def test_the_record_keeps_its_delivery_and_a_late_ack_is_logged() -> None:
    producer = SlowBrokerProducer()

    with capture_logs() as logs:
        with pytest.raises(HuleEduError):
            await publisher(producer).publish(COMMAND, "corr-1")
        [ack] = producer.acks
        assert not ack.cancelled(), "the timeout must not cancel the record's delivery"
        ack.set_result("offset 42")  # the broker is back and takes the buffered record
        await asyncio.sleep(0)

    late = [entry for entry in logs if entry["event"] == "pipeline.publish_late"]
    assert late == [
        {
            "event": "pipeline.publish_late",
            "log_level": "warning",
            "delivered": True,
            "batch_id": "b-1",
            "request_id": "request-1",
            "idempotency_key": "key-1",
            "event_id": late[0]["event_id"],
        }
    ]


async def test_a_publish_that_never_reached_the_producer_says_so() -> None:
    producer = SlowBrokerProducer(start_hangs=True)

    with pytest.raises(HuleEduError) as caught:
        await publisher(producer).publish(COMMAND, "corr-1")

    assert caught.value.details["queued"] is False
    assert caught.value.details["outcome"] == "unknown"
    assert producer.records == []
