"""Reading dead-letter topics: bounded by the end offsets seen at the start, never hanging."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import NoError, UnknownTopicOrPartitionError, for_code

from common_core.topics import DLQ_SUFFIX, dlq_topic
from huleedu_service_libs.kafka import headers as h

# Consumer group whose committed offsets on a DLQ topic mark how far `replay --all` has come.
REPLAY_GROUP = "huleedu-admin.dlq-replay"
REQUEST_TIMEOUT_MS = 15_000


class TopicNotFoundError(Exception):
    """The topic does not exist on the cluster."""


@dataclass(frozen=True)
class DlqMessage:
    """One dead-lettered record: where it sits, what it carried and why it failed."""

    topic: str
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes
    headers: dict[str, str]

    @classmethod
    def from_record(cls, record: Any) -> DlqMessage:
        """From an aiokafka ConsumerRecord."""
        return cls(
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            timestamp_ms=record.timestamp,
            key=record.key,
            value=record.value or b"",
            headers=h.decode_headers(record.headers),
        )

    @property
    def original_topic(self) -> str:
        """Where the message failed: the dlq.original_topic header, else the name minus .dlq."""
        return self.headers.get(h.DLQ_ORIGINAL_TOPIC) or self.topic.removesuffix(DLQ_SUFFIX)

    @property
    def original_headers(self) -> dict[str, str]:
        """The headers it was first published with (event_id, event_type, correlation_id...)."""
        return h.without_dlq_headers(self.headers)

    @property
    def key_text(self) -> str:
        """The key as text ('' when there is none)."""
        return (self.key or b"").decode("utf-8", errors="replace")

    def preview(self, width: int = 160) -> str:
        """The start of the value on one line."""
        text = self.value.decode("utf-8", errors="replace").replace("\n", " ")
        return text if len(text) <= width else text[: width - 3] + "..."

    def as_dict(self, *, replayed: bool) -> dict[str, Any]:
        """JSON-ready view for `dlq list --json`."""
        return {
            "topic": self.topic,
            "partition": self.partition,
            "offset": self.offset,
            "timestamp_ms": self.timestamp_ms,
            "key": self.key_text,
            "event_type": self.headers.get(h.EVENT_TYPE),
            "event_id": self.headers.get(h.EVENT_ID),
            "correlation_id": self.headers.get(h.CORRELATION_ID),
            "dlq": {k: v for k, v in self.headers.items() if k.startswith(h.DLQ_PREFIX)},
            "original_headers": self.original_headers,
            "value_preview": self.preview(),
            "replayed": replayed,
        }


def dlq_name(topic: str) -> str:
    """The DLQ topic, whether given with or without the .dlq suffix."""
    return topic if topic.endswith(DLQ_SUFFIX) else dlq_topic(topic)


@asynccontextmanager
async def open_consumer(
    bootstrap_servers: str, *, group_id: str | None = None
) -> AsyncIterator[AIOKafkaConsumer]:
    """A consumer that never auto-commits; callers assign partitions themselves."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        group_id=group_id,
        client_id="huleedu-admin",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        request_timeout_ms=REQUEST_TIMEOUT_MS,
    )
    try:
        await consumer.start()
    except BaseException:
        await consumer.stop()  # releases the half-started client (else "Unclosed" warnings)
        raise
    try:
        yield consumer
    finally:
        await consumer.stop()


@asynccontextmanager
async def open_admin(bootstrap_servers: str) -> AsyncIterator[AIOKafkaAdminClient]:
    """An admin client for topic metadata and the replay group's offsets."""
    admin = AIOKafkaAdminClient(
        bootstrap_servers=bootstrap_servers, request_timeout_ms=REQUEST_TIMEOUT_MS
    )
    try:
        await admin.start()
    except BaseException:
        await admin.close()
        raise
    try:
        yield admin
    finally:
        await admin.close()


async def topic_partitions(admin: AIOKafkaAdminClient, topic: str) -> list[TopicPartition]:
    """Every partition of `topic`; raises TopicNotFoundError if it does not exist."""
    [description] = await admin.describe_topics([topic])
    error = for_code(description["error_code"])
    if error is UnknownTopicOrPartitionError:
        raise TopicNotFoundError(f"topic {topic!r} does not exist")
    if error is not NoError:
        raise error(f"cannot describe topic {topic!r}")
    return sorted(TopicPartition(topic, p["partition"]) for p in description["partitions"])


async def offset_bounds(
    consumer: AIOKafkaConsumer, tps: Sequence[TopicPartition]
) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
    """First and next-to-be-written offsets of each partition, as of now."""
    begin = await consumer.beginning_offsets(list(tps))
    end = await consumer.end_offsets(list(tps))
    return dict(begin), dict(end)


async def iter_range(
    consumer: AIOKafkaConsumer, tp: TopicPartition, start: int, stop: int, deadline: float
) -> AsyncIterator[Any]:
    """Records of `tp` with start <= offset < stop; TimeoutError past the loop-time deadline."""
    if start >= stop:
        return
    consumer.seek(tp, start)
    loop = asyncio.get_running_loop()
    while await consumer.position(tp) < stop:
        if loop.time() > deadline:
            raise TimeoutError(f"reading {tp.topic}[{tp.partition}] did not reach offset {stop}")
        batch = await consumer.getmany(tp, timeout_ms=500)
        for record in batch.get(tp, []):
            if start <= record.offset < stop:
                yield record


async def replay_cursor(
    admin: AIOKafkaAdminClient, tps: Sequence[TopicPartition]
) -> dict[TopicPartition, int]:
    """How far `replay --all` has come on each partition (0 where it never ran)."""
    committed = await admin.list_consumer_group_offsets(REPLAY_GROUP, partitions=list(tps))
    return {tp: max(int(committed[tp].offset), 0) if tp in committed else 0 for tp in tps}


@dataclass(frozen=True)
class DlqDepth:
    """How many messages a DLQ holds, and how many of them `replay --all` has not sent yet."""

    topic: str
    depth: int
    not_replayed: int


async def dlq_depths(admin: AIOKafkaAdminClient, consumer: AIOKafkaConsumer) -> list[DlqDepth]:
    """Every DLQ topic of the cluster with its depth, by name."""
    topics = sorted(t for t in await admin.list_topics() if t.endswith(DLQ_SUFFIX))
    if not topics:
        return []
    described = await admin.describe_topics(topics)
    tps = [
        TopicPartition(d["topic"], p["partition"])
        for d in described
        if for_code(d["error_code"]) is NoError
        for p in d["partitions"]
    ]
    begin, end = await offset_bounds(consumer, tps)
    cursor = await replay_cursor(admin, tps)
    depths = []
    for topic in topics:
        own = [tp for tp in tps if tp.topic == topic]
        depth = sum(end[tp] - begin[tp] for tp in own)
        pending = sum(end[tp] - max(begin[tp], cursor[tp]) for tp in own)
        depths.append(DlqDepth(topic, depth, max(pending, 0)))
    return depths
