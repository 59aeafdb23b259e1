"""Prometheus metrics and /healthz checks shared by every service."""

from huleedu_service_libs.observability.health import (
    DEFAULT_CHECK_TIMEOUT,
    ConnectionCheckable,
    HealthCheck,
    database_check,
    health_report,
    kafka_check,
    redis_check,
    run_health_checks,
    validate_health_checks,
)
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

__all__ = [
    "DEFAULT_CHECK_TIMEOUT",
    "HTTP_ERRORS",
    "HTTP_REQUESTS",
    "HTTP_REQUEST_DURATION",
    "UNMATCHED_ROUTE",
    "ConnectionCheckable",
    "HealthCheck",
    "database_check",
    "health_report",
    "kafka_check",
    "metrics_response",
    "normalize_route",
    "observe_http_request",
    "record_http_error",
    "redis_check",
    "run_health_checks",
    "validate_health_checks",
]
