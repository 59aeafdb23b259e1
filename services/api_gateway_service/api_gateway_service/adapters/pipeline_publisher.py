"""Publishes a teacher's pipeline request to Kafka and waits for the broker's ack."""

from __future__ import annotations

import asyncio
from typing import Protocol

from common_core.envelope import EventEnvelope
from common_core.errors import ErrorCode
from common_core.events.batch import ClientBatchPipelineRequestV1
from huleedu_service_libs.errors import HuleEduError
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.logging_setup import get_logger

__all__ = ["KafkaPipelinePublisher", "PipelinePublisher"]

logger = get_logger(__name__)
SOURCE_SERVICE = "api_gateway_service"


class PipelinePublisher(Protocol):
    """Sends ClientBatchPipelineRequestV1 commands."""

    async def publish(self, request: ClientBatchPipelineRequestV1, correlation_id: str) -> None:
        """Return once the broker has the command; raise HuleEduError 503 otherwise."""
        ...


class KafkaPipelinePublisher:
    """PipelinePublisher over the shared producer (acks=all, key = batch_id)."""

    def __init__(
        self,
        producer: KafkaEventProducer,
        *,
        topic: str,
        timeout_seconds: float,
        retry_after_seconds: int,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._timeout = timeout_seconds
        self._retry_after = retry_after_seconds

    async def publish(self, request: ClientBatchPipelineRequestV1, correlation_id: str) -> None:
        """Publish with key batch_id and wait for the ack (bounded, so a dead broker is a 503)."""
        envelope = EventEnvelope.wrap(
            request, source_service=SOURCE_SERVICE, correlation_id=correlation_id
        )
        try:
            await asyncio.wait_for(self._send(envelope, request.batch_id), timeout=self._timeout)
        except Exception as exc:
            logger.error("pipeline.publish_failed", batch_id=request.batch_id, error=repr(exc))
            raise HuleEduError(
                ErrorCode.SERVICE_UNAVAILABLE,
                "The pipeline request could not be queued; try again shortly.",
                details={"reason": "kafka_unavailable"},
                headers={"Retry-After": str(self._retry_after)},
            ) from exc

    async def _send(self, envelope: EventEnvelope[ClientBatchPipelineRequestV1], key: str) -> None:
        # The gateway starts without Kafka if it must; the first publish connects.
        if not self._producer.started:
            await self._producer.start()
        await self._producer.publish(envelope, key=key, topic=self._topic)
