"""Metrics read from Kafka's offsets: each worker's consumer lag, and the depth of every DLQ.

Lag comes from the admin API (the group's committed offsets against the partitions' end
offsets), not from the consumer itself: a consumer that is stuck, or whose loop is down,
still shows its lag growing while the process runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from huleedu_service_libs.admin.dlq_reader import dlq_depths, topic_partitions
from huleedu_service_libs.kafka.backoff import install_reconnect_backoff
from huleedu_service_libs.kafka.consumer_metrics import CONSUMER_LAG, DLQ_DEPTH
from huleedu_service_libs.observability.refresh import refresh_every

__all__ = [
    "DEFAULT_DLQ_INTERVAL_SECONDS",
    "DEFAULT_LAG_INTERVAL_SECONDS",
    "ConsumerLagExporter",
    "DlqDepthExporter",
    "OffsetClients",
]

DEFAULT_LAG_INTERVAL_SECONDS = 15.0
DEFAULT_DLQ_INTERVAL_SECONDS = 30.0
_REQUEST_TIMEOUT_MS = 10_000


class OffsetClients:
    """An admin client and a group-less consumer, started on first use, reopened after errors."""

    def __init__(self, bootstrap_servers: str, client_id: str) -> None:
        self._bootstrap = bootstrap_servers
        self._client_id = client_id
        self._admin: AIOKafkaAdminClient | None = None
        self._consumer: AIOKafkaConsumer | None = None

    async def open(self) -> tuple[AIOKafkaAdminClient, AIOKafkaConsumer]:
        """Both clients, started."""
        if self._admin is None or self._consumer is None:
            admin = AIOKafkaAdminClient(
                bootstrap_servers=self._bootstrap,
                client_id=self._client_id,
                request_timeout_ms=_REQUEST_TIMEOUT_MS,
            )
            consumer = AIOKafkaConsumer(
                bootstrap_servers=self._bootstrap,
                client_id=self._client_id,
                enable_auto_commit=False,
                request_timeout_ms=_REQUEST_TIMEOUT_MS,
            )
            install_reconnect_backoff(admin._client)
            install_reconnect_backoff(consumer._client)
            self._admin, self._consumer = admin, consumer
            try:
                await admin.start()
                await consumer.start()
            except BaseException:
                await self.close()
                raise
        return self._admin, self._consumer

    async def close(self) -> None:
        """Stop both clients (the next open() starts new ones)."""
        admin, consumer, self._admin, self._consumer = self._admin, self._consumer, None, None
        if consumer is not None:
            await consumer.stop()
        if admin is not None:
            await admin.close()


class ConsumerLagExporter:
    """Exports huleedu_kafka_consumer_lag for the given groups (group -> its topics)."""

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        service: str,
        groups: Mapping[str, Sequence[str]],
        interval_seconds: float = DEFAULT_LAG_INTERVAL_SECONDS,
    ) -> None:
        self._service = service
        self._groups = {group: list(topics) for group, topics in groups.items()}
        self._interval = interval_seconds
        self._clients = OffsetClients(bootstrap_servers, f"{service}-lag-exporter")

    async def refresh(self) -> dict[tuple[str, TopicPartition], int]:
        """Read every group's lag per partition, export it and return it."""
        try:
            return await self._refresh()
        except BaseException:
            await self._clients.close()
            raise

    async def _refresh(self) -> dict[tuple[str, TopicPartition], int]:
        admin, consumer = await self._clients.open()
        topics = sorted({t for topics in self._groups.values() for t in topics})
        partitions = {t: await topic_partitions(admin, t) for t in topics}
        every = [tp for tps in partitions.values() for tp in tps]
        begin = await consumer.beginning_offsets(every)
        end = await consumer.end_offsets(every)
        lags: dict[tuple[str, TopicPartition], int] = {}
        for group, group_topics in self._groups.items():
            tps = [tp for t in group_topics for tp in partitions[t]]
            committed = await admin.list_consumer_group_offsets(group, partitions=tps)
            for tp in tps:
                found = committed.get(tp)
                # No commit yet: the group starts from the earliest offset still held.
                position = found.offset if found is not None and found.offset >= 0 else begin[tp]
                lag = max(end[tp] - position, 0)
                lags[(group, tp)] = lag
                CONSUMER_LAG.labels(self._service, group, tp.topic, str(tp.partition)).set(lag)
        return lags

    async def run(self, stopping: asyncio.Event) -> None:
        """Refresh every interval until `stopping` is set."""
        try:
            await refresh_every("consumer-lag", self._interval, self.refresh, stopping)
        finally:
            await self.close()

    async def close(self) -> None:
        """Close the Kafka clients (a later refresh opens new ones)."""
        await self._clients.close()


class DlqDepthExporter:
    """Exports huleedu_kafka_dlq_depth for every `.dlq` topic of the cluster.

    The depth is what an operator still owes a look: messages that `huleedu-admin dlq replay
    --all` has not sent back yet (replayed messages stay in the topic until retention).
    """

    def __init__(
        self,
        bootstrap_servers: str,
        *,
        service: str,
        interval_seconds: float = DEFAULT_DLQ_INTERVAL_SECONDS,
    ) -> None:
        self._interval = interval_seconds
        self._clients = OffsetClients(bootstrap_servers, f"{service}-dlq-depth")

    async def refresh(self) -> dict[str, int]:
        """Read every DLQ's depth (messages not replayed), export it and return it."""
        try:
            admin, consumer = await self._clients.open()
            depths = await dlq_depths(admin, consumer)
        except BaseException:
            await self._clients.close()
            raise
        for found in depths:
            DLQ_DEPTH.labels(found.topic).set(found.not_replayed)
        return {found.topic: found.not_replayed for found in depths}

    async def run(self, stopping: asyncio.Event) -> None:
        """Refresh every interval until `stopping` is set."""
        try:
            await refresh_every("dlq-depth", self._interval, self.refresh, stopping)
        finally:
            await self.close()

    async def close(self) -> None:
        """Close the Kafka clients (a later refresh opens new ones)."""
        await self._clients.close()
