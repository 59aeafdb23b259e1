"""HuleEdu platform overview: every service's golden signals and the platform's throughput."""

from __future__ import annotations

from .panels import Query, Row, Spec, Threshold, graph, single

# The recording rules leave probes and scrapes out of teachers' traffic; so does this panel.
NOT_OPERATOR_ROUTES = 'route!~"/healthz.*|/metrics"'

HEALTH = Row(
    "Health",
    (
        single(
            "Scrape targets down",
            "Processes and exporters Prometheus could not scrape at its last attempt.",
            Query("sum(1 - up)", "down"),
            thresholds=(Threshold(1, "red"),),
        ),
        single(
            "Alerts firing",
            "Alerts firing now, by severity; 0 when none fires.",
            Query(
                'count by (severity) (ALERTS{alertstate="firing"}) or on () vector(0)',
                "{{severity}}",
            ),
            thresholds=(Threshold(1, "red"),),
        ),
        single(
            "Batches in flight",
            "Batches registered in the last 24 h that have not finished (completed or failed).",
            Query(
                "clamp_min(sum(increase(huleedu_batches_registered_total[24h]))"
                " - (sum(increase(huleedu_batches_completed_total[24h])) or on () vector(0)), 0)",
                "in flight",
            ),
        ),
        single(
            "Essays spell checked per minute",
            "Essays the spell checker finished per minute (5 min average).",
            Query("sum(rate(huleedu_essays_spellchecked_total[5m])) * 60", "essays/min"),
        ),
    ),
)

SLO_ERRORS = "huleedu:gateway_read_latency_slo_errors:ratio_rate"
SLO = Row(
    "Gateway read latency SLO: 99% of reads under 300 ms",
    (
        single(
            "Gateway reads within 300 ms (1 h)",
            "Share of teachers' GET /v1 requests answered within 300 ms over the last hour.",
            Query(f"1 - {SLO_ERRORS}1h", "within 300 ms"),
            unit="percentunit",
            width=8,
        ),
        graph(
            "Gateway read latency error-budget burn rate",
            "How fast the 1% error budget burns (1 = exactly on budget). The fast-burn alert "
            "fires above 14.4 over 1 h and 5 min; the slow-burn alert above 6 over 6 h and 30 min.",
            *(
                Query(f"{SLO_ERRORS}{window} / 0.01", window)
                for window in ("5m", "30m", "1h", "6h")
            ),
            width=16,
        ),
    ),
)

GOLDEN_SIGNALS = Row(
    "Golden signals per service",
    (
        graph(
            "Request rate",
            "Teachers' and services' HTTP requests per second, per service (probes and scrapes "
            "left out).",
            Query("sum by (service) (huleedu:http_requests:rate5m)", "{{service}}"),
            unit="reqps",
        ),
        graph(
            "5xx error ratio",
            "Share of HTTP responses that were 5xx, per service (0 where there were none); "
            "the ServiceHigh5xxRatio alert reads the same series.",
            Query(
                "huleedu:http_5xx:ratio_rate5m"
                " or sum by (service) (huleedu:http_requests:rate5m) * 0",
                "{{service}}",
            ),
            unit="percentunit",
        ),
        graph(
            "p95 latency",
            "95th percentile of HTTP request duration, per service (probes and scrapes left out).",
            Query(
                "histogram_quantile(0.95, sum by (service, le) (rate("
                f"huleedu_http_request_duration_seconds_bucket{{{NOT_OPERATOR_ROUTES}}}[5m])))",
                "{{service}}",
            ),
            unit="s",
        ),
        graph(
            "Event loop lag",
            "Worst event loop lag among each service's processes: saturation of the process.",
            Query("max by (service) (huleedu_event_loop_lag_seconds)", "{{service}}"),
            unit="s",
            width=12,
        ),
        graph(
            "DB pool in use",
            "Connections checked out of each service's pool, as a share of the pool's size.",
            Query(
                "sum by (service) (huleedu_db_pool_checked_out)"
                " / sum by (service) (huleedu_db_pool_size)",
                "{{service}}",
            ),
            unit="percentunit",
            width=12,
        ),
    ),
)

INFRASTRUCTURE = Row(
    "Infrastructure",
    (
        graph(
            "PostgreSQL and Redis exporters",
            "1 while the exporter reaches its server, 0 when it cannot.",
            Query("max(pg_up)", "postgres"),
            Query("max(redis_up)", "redis"),
            width=12,
        ),
        graph(
            "Dependencies up",
            "Each dependency as the services' readiness checks see it (1 up, 0 down somewhere).",
            Query("min by (dependency) (huleedu_dependency_up)", "{{dependency}}"),
            width=12,
        ),
    ),
)

FLOW = Row(
    "Flow",
    (
        graph(
            "Batches per minute",
            "Batches registered and finished per minute.",
            Query("sum(rate(huleedu_batches_registered_total[5m])) * 60", "registered"),
            Query("sum(rate(huleedu_batches_completed_total[5m])) * 60", "finished"),
            unit="short",
            width=6,
        ),
        graph(
            "Essays per minute",
            "Essays accepted at upload, spell checked and grammar checked, per minute.",
            Query("sum(rate(huleedu_essays_uploaded_total[5m])) * 60", "uploaded"),
            Query("sum(rate(huleedu_essays_spellchecked_total[5m])) * 60", "spell checked"),
            Query("sum(rate(huleedu_essays_grammar_checked_total[5m])) * 60", "grammar checked"),
            width=6,
        ),
        graph(
            "Consumer lag per service",
            "Kafka messages waiting for each service's consumers.",
            Query("sum by (service) (huleedu:kafka_consumer_lag:sum)", "{{service}}"),
            width=6,
        ),
        graph(
            "Process restarts (1 h)",
            "Restarts by the local supervisor in the last hour (0 for processes never restarted).",
            Query(
                "sum by (service) (increase(huleedu_supervisor_restarts_total[1h]))"
                " or sum by (service) (huleedu_supervisor_process_up) * 0",
                "{{service}}",
            ),
            width=6,
        ),
    ),
)

OVERVIEW = Spec(
    uid="huleedu-overview",
    title="HuleEdu platform overview",
    description="Is the platform healthy, and is work flowing? Start here.",
    rows=(HEALTH, SLO, GOLDEN_SIGNALS, INFRASTRUCTURE, FLOW),
)
