"""Consumer metrics (names and labels of documentation/metrics.md), registered once per process."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

__all__ = [
    "CONSUMER_LAG",
    "DEAD_LETTERED",
    "DLQ_DEPTH",
    "DLQ_MESSAGES",
    "DUPLICATE",
    "HANDLED",
    "HANDLER_DURATION",
    "HANDLER_FAILURES",
    "LAST_POLL",
    "MESSAGES",
    "POISON",
    "TRANSIENT",
]

# Outcomes of one message: handled (its effects committed), duplicate (the inbox had it
# already), dead_lettered (written to <topic>.dlq after the retry policy gave up).
HANDLED = "handled"
DUPLICATE = "duplicate"
DEAD_LETTERED = "dead_lettered"
# Kinds of failed attempts: transient (a dependency is away; retried for a time budget) or
# poison (about the message itself; a few attempts, then the DLQ).
TRANSIENT = "transient"
POISON = "poison"

MESSAGES = Counter(
    "huleedu_kafka_messages_total",
    "Messages consumed, by outcome (handled, duplicate, dead_lettered).",
    ["service", "group", "topic", "outcome"],
)
HANDLER_DURATION = Histogram(
    "huleedu_kafka_handler_duration_seconds",
    "Time of one handler attempt (decode, transaction, commit).",
    ["service", "group", "topic"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
HANDLER_FAILURES = Counter(
    "huleedu_kafka_handler_failures_total",
    "Failed handler attempts, by kind (transient, poison).",
    ["service", "group", "topic", "kind"],
)
DLQ_MESSAGES = Counter(
    "huleedu_kafka_dlq_messages_total",
    "Messages written to the dead-letter topic, by the topic they failed on.",
    ["service", "group", "topic"],
)
LAST_POLL = Gauge(
    "huleedu_kafka_consumer_last_poll_timestamp_seconds",
    "Unix time of the consumer's last poll (a stalled consumer stops moving it).",
    ["service", "group"],
)
CONSUMER_LAG = Gauge(
    "huleedu_kafka_consumer_lag",
    "End offset minus the group's committed offset, per partition (from the admin API).",
    ["service", "group", "topic", "partition"],
)
DLQ_DEPTH = Gauge(
    "huleedu_kafka_dlq_depth",
    "Messages held by a dead-letter topic (exported by one process, the gateway).",
    ["topic"],
)
