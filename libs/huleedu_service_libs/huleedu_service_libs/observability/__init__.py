"""Prometheus metrics, liveness and readiness probes shared by every service."""

from huleedu_service_libs.observability.health import (
    DEFAULT_CHECK_TIMEOUT,
    CheckResult,
    ConnectionCheckable,
    HealthCheck,
    database_check,
    kafka_check,
    redis_check,
    run_health_checks,
    validate_health_checks,
)
from huleedu_service_libs.observability.liveness import EVENT_LOOP_LAG, EventLoopMonitor
from huleedu_service_libs.observability.metrics import (
    HTTP_ERRORS,
    HTTP_REQUEST_DURATION,
    HTTP_REQUESTS,
    UNMATCHED_ROUTE,
    metrics_response,
    normalize_route,
    observe_http_request,
    record_http_error,
)
from huleedu_service_libs.observability.probes import (
    DEPENDENCY_UP,
    HEALTHZ_PATH,
    LIVE_PATH,
    PROBE_PATHS,
    READY_PATH,
    ProbeAnswer,
    Probes,
)

__all__ = [
    "DEFAULT_CHECK_TIMEOUT",
    "DEPENDENCY_UP",
    "EVENT_LOOP_LAG",
    "HEALTHZ_PATH",
    "HTTP_ERRORS",
    "HTTP_REQUESTS",
    "HTTP_REQUEST_DURATION",
    "LIVE_PATH",
    "PROBE_PATHS",
    "READY_PATH",
    "UNMATCHED_ROUTE",
    "CheckResult",
    "ConnectionCheckable",
    "EventLoopMonitor",
    "HealthCheck",
    "ProbeAnswer",
    "Probes",
    "database_check",
    "kafka_check",
    "metrics_response",
    "normalize_route",
    "observe_http_request",
    "record_http_error",
    "redis_check",
    "run_health_checks",
    "validate_health_checks",
]
