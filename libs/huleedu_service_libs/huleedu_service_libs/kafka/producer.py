"""Kafka producer wrapper: acks=all, idempotent, key = aggregate id, identity headers."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import OutOfOrderSequenceNumber, UnknownProducerId
from aiokafka.structs import RecordMetadata

from common_core.envelope import EventEnvelope
from common_core.topics import topic_for
from huleedu_service_libs.kafka.backoff import install_reconnect_backoff
from huleedu_service_libs.kafka.headers import encode_headers, envelope_headers

logger = structlog.get_logger(__name__)

# After these the idempotent producer never recovers by itself: its producer id and sequence
# numbers no longer match the broker's (seen when a broker restarts with batches in flight;
# every later send failed until the process restarted). A new producer gets a new id; records
# sent again are harmless because every consumer drops event ids it already handled.
STALE_PRODUCER_ERRORS = (OutOfOrderSequenceNumber, UnknownProducerId)


class KafkaEventProducer:
    """Publishes envelopes and raw records; one instance per process (APP scope)."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        client_id: str,
        request_timeout_ms: int = 10_000,
        linger_ms: int = 5,
        max_request_size: int = 1_048_576,
    ) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._client_id = client_id
        self._request_timeout_ms = request_timeout_ms
        self._linger_ms = linger_ms
        self._max_request_size = max_request_size
        self._producer: AIOKafkaProducer | None = None
        self._start_lock = asyncio.Lock()
        self._replacing: asyncio.Task[None] | None = None

    @property
    def started(self) -> bool:
        """True once start() succeeded and stop() has not been called."""
        return self._producer is not None

    async def start(self) -> None:
        """Connect to the brokers; raises if none is reachable (callers decide how to retry)."""
        async with self._start_lock:
            if self._producer is not None:
                return
            producer = AIOKafkaProducer(
                bootstrap_servers=self._bootstrap_servers,
                client_id=self._client_id,
                acks="all",
                enable_idempotence=True,
                linger_ms=self._linger_ms,
                request_timeout_ms=self._request_timeout_ms,
                max_request_size=self._max_request_size,
            )
            install_reconnect_backoff(producer.client)
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer

    async def stop(self) -> None:
        """Flush what is buffered and disconnect."""
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    def _require(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("KafkaEventProducer.start() has not been called")
        return self._producer

    async def publish(
        self,
        envelope: EventEnvelope[Any],
        *,
        key: str,
        topic: str | None = None,
    ) -> RecordMetadata:
        """Publish an envelope to its registry topic (or `topic`) and wait for the ack."""
        return await self.send(
            topic or topic_for(envelope.data),
            value=envelope.model_dump_json().encode("utf-8"),
            key=key,
            headers=envelope_headers(envelope),
        )

    async def send(
        self,
        topic: str,
        *,
        value: bytes,
        key: str | bytes | None,
        headers: Mapping[str, str],
    ) -> RecordMetadata:
        """Send one record and wait until every in-sync replica has it."""
        future = await self.enqueue(topic, value=value, key=key, headers=headers)
        return await future

    async def enqueue(
        self,
        topic: str,
        *,
        value: bytes,
        key: str | bytes | None,
        headers: Mapping[str, str],
    ) -> asyncio.Future[RecordMetadata]:
        """Hand one record to the producer's buffer; the future resolves on the broker's ack."""
        raw_key = key.encode("utf-8") if isinstance(key, str) else key
        if self._replacing is not None:
            await asyncio.shield(self._replacing)
        producer = self._require()
        future: asyncio.Future[RecordMetadata] = await producer.send(
            topic, value=value, key=raw_key, headers=encode_headers(headers)
        )
        future.add_done_callback(lambda done: self._check_delivery(producer, done))
        return future

    def _check_delivery(
        self, producer: AIOKafkaProducer, done: asyncio.Future[RecordMetadata]
    ) -> None:
        if done.cancelled() or not isinstance(done.exception(), STALE_PRODUCER_ERRORS):
            return
        if self._producer is producer and self._replacing is None:
            self._replacing = asyncio.get_running_loop().create_task(self._replace(producer))

    async def _replace(self, stale: AIOKafkaProducer) -> None:
        """Swap a producer whose sequence state the broker no longer accepts for a new one."""
        logger.warning("kafka.producer_replaced", client_id=self._client_id)
        to_stop = stale
        try:
            async with self._start_lock:
                if self._producer is not stale:
                    return
                self._producer = None
            await to_stop.stop()
            await self.start()
        except Exception:
            # Not reachable right now: the next send finds no producer and the caller's retry
            # (relay backoff) calls start() again.
            logger.exception("kafka.producer_replace_failed", client_id=self._client_id)
        finally:
            self._replacing = None

    async def check_connection(self) -> None:
        """Raise unless a broker answers a metadata request (used by /healthz and the relay)."""
        producer = self._require()
        ok = await producer.client.force_metadata_update()
        if not ok or not producer.client.cluster.brokers():
            raise ConnectionError(f"no Kafka broker reachable at {self._bootstrap_servers}")
