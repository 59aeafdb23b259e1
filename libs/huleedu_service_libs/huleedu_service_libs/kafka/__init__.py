"""Kafka plumbing: producer wrapper, consumer runner with DLQ, typed dispatch, topic admin."""

from huleedu_service_libs.kafka.admin import TopicCreationError, ensure_topics
from huleedu_service_libs.kafka.consumer import (
    KafkaConsumerRunner,
    Record,
    RecordHandler,
    RunHandling,
)
from huleedu_service_libs.kafka.dispatch import EventDispatcher, decode_envelope
from huleedu_service_libs.kafka.producer import KafkaEventProducer
from huleedu_service_libs.kafka.retry_policy import (
    PoisonMessageError,
    RetryPolicy,
    TransientError,
)

__all__ = [
    "EventDispatcher",
    "KafkaConsumerRunner",
    "KafkaEventProducer",
    "PoisonMessageError",
    "Record",
    "RecordHandler",
    "RetryPolicy",
    "RunHandling",
    "TopicCreationError",
    "TransientError",
    "decode_envelope",
    "ensure_topics",
]
