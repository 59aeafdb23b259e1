"""HuleEdu Kafka and outbox: consumer lag, dead letters, and every service's outbox relay."""

from __future__ import annotations

from .panels import Query, Row, Spec, Threshold, graph, single

MESSAGES = "huleedu_kafka_messages_total"
PUBLISHED = "huleedu_outbox_published_total"

CONSUMERS = Row(
    "Consumers",
    (
        graph(
            "Consumer lag by group and topic",
            "Messages each consumer group has not yet committed, summed over partitions.",
            Query("sum by (group, topic) (huleedu_kafka_consumer_lag)", "{{group}} {{topic}}"),
            width=12,
        ),
        graph(
            "Seconds since each group's last poll",
            "A group whose line keeps climbing has stalled.",
            Query(
                "time() - max by (service, group)"
                " (huleedu_kafka_consumer_last_poll_timestamp_seconds)",
                "{{group}}",
            ),
            unit="s",
            width=12,
        ),
        graph(
            "Messages consumed by outcome",
            "Messages per second per service: handled, duplicate or dead-lettered.",
            Query(f"sum by (service, outcome) (rate({MESSAGES}[5m]))", "{{service}} {{outcome}}"),
            unit="ops",
            width=12,
        ),
        graph(
            "Handler failures by kind",
            "Transient and poison handler failures per second (0 where there were none).",
            Query(
                "sum by (service, kind) (rate(huleedu_kafka_handler_failures_total[5m]))"
                f" or sum by (service) (rate({MESSAGES}[5m])) * 0",
                "{{service}} {{kind}}",
            ),
            unit="ops",
            width=12,
        ),
    ),
)

DEAD_LETTERS = Row(
    "Dead letters",
    (
        single(
            "Messages in dead-letter topics",
            "Messages waiting in every .dlq topic; inspect and replay with huleedu-admin.",
            Query("sum(huleedu_kafka_dlq_depth)", "messages"),
            width=6,
            thresholds=(Threshold(1, "red"),),
        ),
        single(
            "DLQ depth by topic",
            "Messages waiting in each .dlq topic.",
            Query("max by (topic) (huleedu_kafka_dlq_depth)", "{{topic}}"),
            width=12,
            thresholds=(Threshold(1, "red"),),
        ),
        single(
            "Dead-lettered in the last hour",
            "Messages consumers sent to a .dlq topic in the last hour (0 when none).",
            Query(
                "sum(increase(huleedu_kafka_dlq_messages_total[1h]))"
                f" or sum(rate({MESSAGES}[5m])) * 0",
                "dead-lettered",
            ),
            width=6,
            thresholds=(Threshold(1, "orange"),),
        ),
    ),
)

OUTBOX = Row(
    "Outbox",
    (
        graph(
            "Outbox backlog",
            "Rows waiting for each service's relay.",
            Query("max by (service) (huleedu_outbox_backlog)", "{{service}}"),
        ),
        graph(
            "Outbox oldest row age",
            "Age of each service's oldest unpublished row.",
            Query("max by (service) (huleedu_outbox_oldest_age_seconds)", "{{service}}"),
            unit="s",
        ),
        graph(
            "Parked outbox rows",
            "Rows parked after repeated publish failures; they need an operator.",
            Query("max by (service) (huleedu_outbox_parked_rows)", "{{service}}"),
        ),
        graph(
            "Outbox publish rate",
            "Rows published to Kafka per second, per service.",
            Query(f"sum by (service) (rate({PUBLISHED}[5m]))", "{{service}}"),
            unit="ops",
        ),
        graph(
            "Outbox publish failures and parkings",
            "Failed publish attempts and rows parked, per second (0 where there were none).",
            Query(
                "sum by (service) (rate(huleedu_outbox_publish_failures_total[5m]))"
                f" or sum by (service) (rate({PUBLISHED}[5m])) * 0",
                "failures {{service}}",
            ),
            Query(
                "sum by (service) (rate(huleedu_outbox_rows_parked_total[5m]))"
                f" or sum by (service) (rate({PUBLISHED}[5m])) * 0",
                "parked {{service}}",
            ),
            unit="ops",
        ),
        graph(
            "Seconds since each relay's last cycle",
            "A relay whose line keeps climbing is dead.",
            Query(
                "time() - max by (service, process)"
                " (huleedu_outbox_relay_last_cycle_timestamp_seconds)",
                "{{service}} {{process}}",
            ),
            unit="s",
        ),
    ),
)

KAFKA_OUTBOX = Spec(
    uid="huleedu-kafka-outbox",
    title="HuleEdu Kafka and outbox",
    description="Are events flowing? Consumer lag, dead letters, and the outbox relays.",
    rows=(CONSUMERS, DEAD_LETTERS, OUTBOX),
)
