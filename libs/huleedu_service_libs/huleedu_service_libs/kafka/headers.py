"""Kafka header names and conversions; headers repeat the envelope's identity fields."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from common_core.envelope import EventEnvelope

EVENT_ID = "event_id"
EVENT_TYPE = "event_type"
CORRELATION_ID = "correlation_id"

# Headers added when a message is dead-lettered; stripped again when it is replayed.
DLQ_PREFIX = "dlq."
DLQ_ERROR = "dlq.error"
DLQ_ERROR_TYPE = "dlq.error_type"
DLQ_ORIGINAL_TOPIC = "dlq.original_topic"
DLQ_ORIGINAL_PARTITION = "dlq.original_partition"
DLQ_ORIGINAL_OFFSET = "dlq.original_offset"
DLQ_CONSUMER_GROUP = "dlq.consumer_group"
DLQ_ATTEMPTS = "dlq.attempts"
DLQ_FAILED_AT = "dlq.failed_at"

KafkaHeaders = list[tuple[str, bytes]]


def envelope_headers(envelope: EventEnvelope[Any]) -> dict[str, str]:
    """The identity headers every published event carries."""
    return {
        EVENT_ID: str(envelope.event_id),
        EVENT_TYPE: envelope.event_type,
        CORRELATION_ID: envelope.correlation_id,
    }


def encode_headers(headers: Mapping[str, str]) -> KafkaHeaders:
    """aiokafka's header format from a str -> str mapping."""
    return [(name, value.encode("utf-8")) for name, value in headers.items()]


def decode_headers(headers: Iterable[tuple[str, bytes | None]] | None) -> dict[str, str]:
    """A str -> str mapping from aiokafka's header format (undecodable bytes replaced)."""
    return {name: (value or b"").decode("utf-8", errors="replace") for name, value in headers or ()}


def without_dlq_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The original headers of a dead-lettered message."""
    return {k: v for k, v in headers.items() if not k.startswith(DLQ_PREFIX)}
