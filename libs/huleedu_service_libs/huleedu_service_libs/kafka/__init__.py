"""Kafka plumbing: producer wrapper, consumer runner with DLQ, typed dispatch, topic admin."""

from huleedu_service_libs.kafka.admin import ensure_topics
from huleedu_service_libs.kafka.consumer import (
    KafkaConsumerRunner,
    PoisonMessageError,
    Record,
    RecordHandler,
)
from huleedu_service_libs.kafka.dispatch import EventDispatcher, decode_envelope
from huleedu_service_libs.kafka.producer import KafkaEventProducer

__all__ = [
    "EventDispatcher",
    "KafkaConsumerRunner",
    "KafkaEventProducer",
    "PoisonMessageError",
    "Record",
    "RecordHandler",
    "decode_envelope",
    "ensure_topics",
]
