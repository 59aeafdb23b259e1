"""Publishes a teacher's pipeline request to Kafka and waits (bounded) for the broker's ack.

A record handed to the producer cannot be taken back: the idempotent aiokafka producer keeps
retrying it until a broker takes it, however long that is. So a publish that is not confirmed
in time is answered 503 "outcome unknown", the delivery future is left running (never
cancelled) and its fate is logged when it settles; the command's idempotency key is what makes
that late delivery, and the teacher's retry, harmless.
"""

from __future__ import annotations

import asyncio
from typing import Any

from api_gateway_service.domain.pipeline_requests import IDEMPOTENCY_KEY_HEADER
from common_core.envelope import EventEnvelope
from common_core.errors import ErrorCode
from common_core.events.batch import ClientBatchPipelineRequestV1
from huleedu_service_libs.errors import HuleEduError
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.kafka.headers import envelope_headers
from huleedu_service_libs.logging_setup import get_logger

__all__ = ["KafkaPipelinePublisher", "outcome_unknown"]

logger = get_logger(__name__)
SOURCE_SERVICE = "api_gateway_service"


def outcome_unknown(
    request: ClientBatchPipelineRequestV1, *, retry_after_seconds: int, queued: bool
) -> HuleEduError:
    """503: the command may or may not run; a retry under the same key is safe either way."""
    return HuleEduError(
        ErrorCode.SERVICE_UNAVAILABLE,
        "The pipeline request could not be confirmed (the message broker is unavailable or "
        "did not answer in time), so it may or may not run. Retrying with the same "
        "Idempotency-Key is safe: the pipeline runs at most once, and the retry answers with "
        "this request's outcome.",
        details={
            "dependency": "kafka",
            "reason": "kafka_unavailable",
            "outcome": "unknown",
            "retry_safe": True,
            # false: this attempt never reached the producer's buffer (an earlier attempt
            # under the key may still have run, so the outcome stays unknown).
            "queued": queued,
            "batch_id": request.batch_id,
            "request_id": request.client_request_id,
            "idempotency_key": request.idempotency_key,
        },
        headers={
            "Retry-After": str(retry_after_seconds),
            IDEMPOTENCY_KEY_HEADER: request.idempotency_key or "",
        },
    )


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
        """Publish (key batch_id) and wait for the ack; past the timeout 503, outcome unknown."""
        envelope = EventEnvelope.wrap(
            request, source_service=SOURCE_SERVICE, correlation_id=correlation_id
        )
        log = logger.bind(
            batch_id=request.batch_id,
            request_id=request.client_request_id,
            idempotency_key=request.idempotency_key,
            event_id=str(envelope.event_id),
        )
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        try:
            async with asyncio.timeout_at(deadline):
                ack = await self._enqueue(envelope, request.batch_id)
        except Exception as exc:
            # Cancelled before the producer took the record: it is not sent later.
            log.error("pipeline.publish_failed", stage="enqueue", error=repr(exc))
            raise outcome_unknown(
                request, retry_after_seconds=self._retry_after, queued=False
            ) from exc
        try:
            # shield: a timeout must not cancel the delivery future, which would hide whether
            # (and when) the broker took the record after all.
            await asyncio.wait_for(asyncio.shield(ack), timeout=max(0.0, deadline - loop.time()))
        except Exception as exc:
            log.error("pipeline.publish_failed", stage="ack", error=repr(exc))
            ack.add_done_callback(lambda done: _report_late(done, log))
            raise outcome_unknown(
                request, retry_after_seconds=self._retry_after, queued=True
            ) from exc

    async def _enqueue(
        self, envelope: EventEnvelope[ClientBatchPipelineRequestV1], key: str
    ) -> asyncio.Future[Any]:
        # The gateway starts without Kafka if it must; the first publish connects.
        if not self._producer.started:
            await self._producer.start()
        return await self._producer.enqueue(
            self._topic,
            value=envelope.model_dump_json().encode("utf-8"),
            key=key,
            headers=envelope_headers(envelope),
        )


def _report_late(ack: asyncio.Future[Any], log: Any) -> None:
    """Log what became of a record whose ack came too late for its request's answer."""
    if ack.cancelled():
        log.warning("pipeline.publish_late", delivered=False, error="cancelled")
    elif ack.exception() is not None:
        log.warning("pipeline.publish_late", delivered=False, error=repr(ack.exception()))
    else:
        # The 503'd command reached Kafka after all; its idempotency key keeps it single.
        log.warning("pipeline.publish_late", delivered=True)
