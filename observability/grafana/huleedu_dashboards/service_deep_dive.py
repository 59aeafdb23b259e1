"""HuleEdu service deep dive: one service (the `service` variable), all of its signals."""

from __future__ import annotations

from .panels import Query, Row, Spec, graph

SERVICE = 'service="$service"'
REQUESTS = f"huleedu_http_requests_total{{{SERVICE}}}"
MESSAGES = f"huleedu_kafka_messages_total{{{SERVICE}}}"
ERRORS_5XX = f'huleedu_http_requests_total{{{SERVICE}, status=~"5.."}}'

PROCESSES = Row(
    "Processes",
    (
        graph(
            "Processes up",
            "1 while Prometheus scrapes the process (HTTP or worker), 0 when it cannot.",
            Query(f"min by (process) (up{{{SERVICE}}})", "{{process}}"),
            width=12,
        ),
        graph(
            "Event loop lag",
            "Event loop lag of each of the service's processes.",
            Query(f"max by (process) (huleedu_event_loop_lag_seconds{{{SERVICE}}})", "{{process}}"),
            unit="s",
            width=12,
        ),
    ),
)

HTTP = Row(
    "HTTP: rate, errors, duration per route",
    (
        graph(
            "Requests by route",
            "HTTP requests per second, per method and route template.",
            Query(f"sum by (method, route) (rate({REQUESTS}[5m]))", "{{method}} {{route}}"),
            unit="reqps",
        ),
        graph(
            "5xx ratio by route",
            "Share of each route's responses that were 5xx (0 where there were none).",
            Query(
                f"sum by (method, route) (rate({ERRORS_5XX}[5m]))"
                f" / sum by (method, route) (rate({REQUESTS}[5m]))"
                f" or sum by (method, route) (rate({REQUESTS}[5m])) * 0",
                "{{method}} {{route}}",
            ),
            unit="percentunit",
        ),
        graph(
            "p95 latency by route",
            "95th percentile of request duration per route.",
            Query(
                "histogram_quantile(0.95, sum by (method, route, le) (rate("
                f"huleedu_http_request_duration_seconds_bucket{{{SERVICE}}}[5m])))",
                "{{method}} {{route}}",
            ),
            unit="s",
        ),
        graph(
            "Responses by status",
            "HTTP responses per second by status code.",
            Query(f"sum by (status) (rate({REQUESTS}[5m]))", "{{status}}"),
            unit="reqps",
            width=12,
        ),
        graph(
            "Error bodies by code",
            "Error responses per second by the ErrorCode in their body.",
            Query(f"sum by (code) (rate(huleedu_http_errors_total{{{SERVICE}}}[5m]))", "{{code}}"),
            unit="reqps",
            width=12,
        ),
    ),
)

CONSUMERS = Row(
    "Kafka consumers",
    (
        graph(
            "Messages by topic and outcome",
            "Messages consumed per second: handled, duplicate or dead-lettered.",
            Query(f"sum by (topic, outcome) (rate({MESSAGES}[5m]))", "{{topic}} {{outcome}}"),
            unit="ops",
            width=6,
        ),
        graph(
            "Handler p95 by topic",
            "95th percentile of handler duration per topic.",
            Query(
                "histogram_quantile(0.95, sum by (topic, le) (rate("
                f"huleedu_kafka_handler_duration_seconds_bucket{{{SERVICE}}}[5m])))",
                "{{topic}}",
            ),
            unit="s",
            width=6,
        ),
        graph(
            "Handler failures",
            "Handler failures per second by topic and kind (0 where there were none).",
            Query(
                "sum by (topic, kind) (rate("
                f"huleedu_kafka_handler_failures_total{{{SERVICE}}}[5m]))"
                f" or sum by (topic) (rate({MESSAGES}[5m])) * 0",
                "{{topic}} {{kind}}",
            ),
            unit="ops",
            width=6,
        ),
        graph(
            "Consumer lag by group and topic",
            "Messages each consumer group has not yet committed.",
            Query(
                f"sum by (group, topic) (huleedu_kafka_consumer_lag{{{SERVICE}}})",
                "{{group}} {{topic}}",
            ),
            width=6,
        ),
    ),
)

OUTBOX = Row(
    "Outbox",
    (
        graph(
            "Outbox backlog and parked rows",
            "Rows waiting for the relay, and rows parked after repeated failures.",
            Query(f"max(huleedu_outbox_backlog{{{SERVICE}}})", "backlog"),
            Query(f"max(huleedu_outbox_parked_rows{{{SERVICE}}})", "parked"),
        ),
        graph(
            "Outbox oldest row age",
            "Age of the oldest unpublished row.",
            Query(f"max(huleedu_outbox_oldest_age_seconds{{{SERVICE}}})", "oldest"),
            unit="s",
        ),
        graph(
            "Outbox publishing",
            "Rows published per second, and failed publish attempts (0 where there were none).",
            Query(f"sum(rate(huleedu_outbox_published_total{{{SERVICE}}}[5m]))", "published"),
            Query(
                f"sum(rate(huleedu_outbox_publish_failures_total{{{SERVICE}}}[5m]))"
                f" or sum(rate(huleedu_outbox_published_total{{{SERVICE}}}[5m])) * 0",
                "failures",
            ),
            unit="ops",
        ),
    ),
)

RESILIENCE = Row(
    "Circuit breakers, database, dependencies",
    (
        graph(
            "Circuit breaker state",
            "0 closed, 1 half-open, 2 open.",
            Query(f"max by (breaker) (huleedu_circuit_breaker_state{{{SERVICE}}})", "{{breaker}}"),
            width=6,
        ),
        graph(
            "Circuit breaker rejections",
            "Calls refused at once by an open breaker, per second (0 where there were none).",
            Query(
                "sum by (breaker) (rate("
                f"huleedu_circuit_breaker_rejections_total{{{SERVICE}}}[5m]))"
                f" or max by (breaker) (huleedu_circuit_breaker_state{{{SERVICE}}}) * 0",
                "{{breaker}}",
            ),
            unit="ops",
            width=6,
        ),
        graph(
            "DB pool",
            "Connections checked out, and the pool's size, per process.",
            Query(
                f"sum by (process) (huleedu_db_pool_checked_out{{{SERVICE}}})",
                "checked out {{process}}",
            ),
            Query(f"sum by (process) (huleedu_db_pool_size{{{SERVICE}}})", "size {{process}}"),
            width=6,
        ),
        graph(
            "DB statement p95 by operation",
            "95th percentile of statement duration by operation.",
            Query(
                "histogram_quantile(0.95, sum by (operation, le) (rate("
                f"huleedu_db_statement_duration_seconds_bucket{{{SERVICE}}}[5m])))",
                "{{operation}}",
            ),
            unit="s",
            width=6,
        ),
        graph(
            "Dependencies up",
            "1 while the readiness check of the dependency passes, 0 when it fails.",
            Query(f"min by (dependency) (huleedu_dependency_up{{{SERVICE}}})", "{{dependency}}"),
            width=12,
        ),
        graph(
            "Seconds since last consumer poll and relay cycle",
            "A consumer or relay whose line keeps climbing has stalled.",
            Query(
                "time() - max by (group) ("
                f"huleedu_kafka_consumer_last_poll_timestamp_seconds{{{SERVICE}}})",
                "poll {{group}}",
            ),
            Query(
                "time() - max by (process) ("
                f"huleedu_outbox_relay_last_cycle_timestamp_seconds{{{SERVICE}}})",
                "relay {{process}}",
            ),
            unit="s",
            width=12,
        ),
        graph(
            "Seconds since each periodic job's last success",
            "A job whose line keeps climbing is failing or stuck; past three intervals the "
            "worker is unready (worker_loops).",
            Query(
                "time() - max by (periodic_job) ("
                f"huleedu_periodic_job_last_success_timestamp_seconds{{{SERVICE}}} > 0)",
                "{{periodic_job}}",
            ),
            unit="s",
            width=12,
        ),
        graph(
            "Periodic job ticks in the last hour",
            "Ticks per job and outcome; a failure is logged and the job goes on.",
            Query(
                "sum by (periodic_job, outcome) (increase("
                f"huleedu_periodic_job_runs_total{{{SERVICE}}}[1h]))",
                "{{periodic_job}} {{outcome}}",
            ),
            width=12,
        ),
    ),
)

SERVICE_DEEP_DIVE = Spec(
    uid="huleedu-service",
    title="HuleEdu service deep dive",
    description="One service's HTTP, consumers, outbox, breakers and database; pick the service.",
    rows=(PROCESSES, HTTP, CONSUMERS, OUTBOX, RESILIENCE),
    service_variable=True,
)
