"""`huleedu-admin dlq list|replay`: inspect dead-lettered messages and send them back.

Replay publishes the original value, key and headers (event_id unchanged) to the topic the
message failed on, so idempotent consumers drop anything they already handled. `replay --all`
commits its progress as the `huleedu-admin.dlq-replay` group's offsets on the DLQ topic after
each successful publish, so running it again replays only what was dead-lettered since (a crash
between a publish and its commit replays that one message again: consumers dedupe by event_id).
"""

from __future__ import annotations

import argparse
import asyncio
import json

from aiokafka import AIOKafkaConsumer, TopicPartition

from huleedu_service_libs.admin.dlq_reader import (
    REPLAY_GROUP,
    DlqMessage,
    dlq_depths,
    dlq_name,
    iter_range,
    offset_bounds,
    open_admin,
    open_consumer,
    replay_cursor,
    topic_partitions,
)
from huleedu_service_libs.kafka import headers as h
from huleedu_service_libs.kafka.producer import KafkaEventProducer


class OffsetArgumentError(ValueError):
    """An --offset value is neither N nor PARTITION:N."""


def _deadline(args: argparse.Namespace) -> float:
    return asyncio.get_running_loop().time() + float(args.timeout)


def describe_message(message: DlqMessage, *, replayed: bool) -> list[str]:
    """Plain-text lines for one DLQ message."""
    hd = message.headers
    return [
        f"partition {message.partition} offset {message.offset}  key={message.key_text or '-'}"
        f"  event_type={hd.get(h.EVENT_TYPE, '-')}  event_id={hd.get(h.EVENT_ID, '-')}"
        f"  replayed={'yes' if replayed else 'no'}",
        f"  error_type: {hd.get(h.DLQ_ERROR_TYPE, '-')}  attempts: {hd.get(h.DLQ_ATTEMPTS, '-')}"
        f"  failed_at: {hd.get(h.DLQ_FAILED_AT, '-')}",
        f"  error: {hd.get(h.DLQ_ERROR, '-')}",
        f"  original: {message.original_topic}[{hd.get(h.DLQ_ORIGINAL_PARTITION, '?')}]"
        f"@{hd.get(h.DLQ_ORIGINAL_OFFSET, '?')}  group: {hd.get(h.DLQ_CONSUMER_GROUP, '-')}",
        f"  value: {message.preview()}",
    ]


async def read_messages(
    consumer: AIOKafkaConsumer, tps: list[TopicPartition], limit: int, deadline: float
) -> tuple[list[DlqMessage], int]:
    """Up to `limit` messages from the beginning of every partition, and the total count."""
    consumer.assign(tps)
    begin, end = await offset_bounds(consumer, tps)
    total = sum(end[tp] - begin[tp] for tp in tps)
    messages: list[DlqMessage] = []
    for tp in tps:
        # DLQ topics are never compacted, so offsets are contiguous and this bounds the count.
        stop = min(end[tp], begin[tp] + max(limit - len(messages), 0))
        async for record in iter_range(consumer, tp, begin[tp], stop, deadline):
            messages.append(DlqMessage.from_record(record))
    return messages, total


async def dlq_overview(args: argparse.Namespace) -> int:
    """Print every DLQ topic with its depth (and what replay --all has not sent yet)."""
    async with (
        open_admin(args.bootstrap_servers) as admin,
        open_consumer(args.bootstrap_servers) as consumer,
    ):
        depths = await dlq_depths(admin, consumer)
    if args.json:
        print(json.dumps([d.__dict__ for d in depths]))
        return 0
    if not depths:
        print("no DLQ topics (run `make topics`)")
        return 0
    width = max(len(d.topic) for d in depths)
    print(f"{'DLQ topic':<{width}}  {'depth':>6}  {'not replayed':>12}")
    for d in depths:
        print(f"{d.topic:<{width}}  {d.depth:>6}  {d.not_replayed:>12}")
    total = sum(d.depth for d in depths)
    print(f"{len(depths)} DLQ topic(s), {total} message(s); `dlq list TOPIC` shows one's messages")
    return 0


async def dlq_list(args: argparse.Namespace) -> int:
    """Print the DLQ's messages with their errors; returns when the end offsets are reached.

    Without a topic, the overview of every DLQ topic and its depth.
    """
    if args.topic is None:
        return await dlq_overview(args)
    topic = dlq_name(args.topic)
    async with open_admin(args.bootstrap_servers) as admin:
        tps = await topic_partitions(admin, topic)
        async with open_consumer(args.bootstrap_servers) as consumer:
            messages, total = await read_messages(consumer, tps, args.limit, _deadline(args))
        cursor = await replay_cursor(admin, tps)
    replayed = [m.offset < cursor[_tp(m)] for m in messages]
    if args.json:
        print(json.dumps([m.as_dict(replayed=r) for m, r in zip(messages, replayed, strict=True)]))
        return 0
    shown = f", showing {len(messages)}" if total > len(messages) else ""
    print(f"{topic}: {total} message(s){shown}")
    for message, was_replayed in zip(messages, replayed, strict=True):
        print("\n".join(describe_message(message, replayed=was_replayed)))
    return 0


def parse_offset(value: str, default_partition: int) -> tuple[int, int]:
    """`N` (on --partition) or `PARTITION:N` -> (partition, offset)."""
    partition, _, offset = value.rpartition(":")
    try:
        return (int(partition) if partition else default_partition), int(offset)
    except ValueError:
        raise OffsetArgumentError(f"--offset {value!r}: expected N or PARTITION:N") from None


async def republish(producer: KafkaEventProducer, message: DlqMessage) -> None:
    """Send the message back where it failed, as it was first published."""
    await producer.send(
        message.original_topic,
        value=message.value,
        key=message.key,
        headers=message.original_headers,
    )


def report_replay(message: DlqMessage, *, dry_run: bool) -> None:
    """One line per replayed (or, with --dry-run, replayable) message."""
    verb = "would replay" if dry_run else "replayed"
    print(
        f"{verb} partition {message.partition} offset {message.offset} -> "
        f"{message.original_topic}  event_type={message.headers.get(h.EVENT_TYPE, '-')}"
        f"  event_id={message.headers.get(h.EVENT_ID, '-')}"
    )


async def replay_all(
    args: argparse.Namespace, tps: list[TopicPartition], producer: KafkaEventProducer | None
) -> int:
    """Replay everything past the replay group's committed offsets, committing as it goes."""
    count = 0
    deadline = _deadline(args)
    async with open_consumer(args.bootstrap_servers, group_id=REPLAY_GROUP) as consumer:
        consumer.assign(tps)
        begin, end = await offset_bounds(consumer, tps)
        for tp in tps:
            start = max(await consumer.committed(tp) or 0, begin[tp])
            # `end` is fixed now: messages that fail again and land here are for a later run.
            async for record in iter_range(consumer, tp, start, end[tp], deadline):
                message = DlqMessage.from_record(record)
                if producer is not None:
                    await republish(producer, message)
                    await consumer.commit({tp: record.offset + 1})
                report_replay(message, dry_run=producer is None)
                count += 1
    return count


async def replay_offsets(
    args: argparse.Namespace,
    tps: list[TopicPartition],
    wanted: list[tuple[TopicPartition, int]],
    producer: KafkaEventProducer | None,
) -> tuple[int, int]:
    """Replay exactly the given offsets (the --all progress is left alone); (done, missing)."""
    count = missing = 0
    deadline = _deadline(args)
    async with open_consumer(args.bootstrap_servers) as consumer:
        consumer.assign(tps)
        begin, end = await offset_bounds(consumer, tps)
        for tp, offset in wanted:
            if tp not in begin or not begin[tp] <= offset < end[tp]:
                print(f"no message at partition {tp.partition} offset {offset} of {tp.topic}")
                missing += 1
                continue
            async for record in iter_range(consumer, tp, offset, offset + 1, deadline):
                message = DlqMessage.from_record(record)
                if producer is not None:
                    await republish(producer, message)
                report_replay(message, dry_run=producer is None)
                count += 1
    return count, missing


async def dlq_replay(args: argparse.Namespace) -> int:
    """Replay --all or the chosen --offset values; exit 1 if an offset had no message."""
    topic = dlq_name(args.topic)
    wanted = [
        (TopicPartition(topic, partition), offset)
        for partition, offset in (parse_offset(v, args.partition) for v in args.offset or [])
    ]
    async with open_admin(args.bootstrap_servers) as admin:
        tps = await topic_partitions(admin, topic)
    producer: KafkaEventProducer | None = None
    if not args.dry_run:
        producer = KafkaEventProducer(args.bootstrap_servers, client_id="huleedu-admin")
        await producer.start()
    try:
        if args.all:
            count, missing = await replay_all(args, tps, producer), 0
        else:
            count, missing = await replay_offsets(args, tps, wanted, producer)
    finally:
        if producer is not None:
            await producer.stop()
    verb = "would replay" if args.dry_run else "replayed"
    print(f"{verb} {count} message(s) from {topic}" if count else f"nothing to replay in {topic}")
    return 1 if missing else 0


def _tp(message: DlqMessage) -> TopicPartition:
    return TopicPartition(message.topic, message.partition)
