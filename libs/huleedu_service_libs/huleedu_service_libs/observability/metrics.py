"""HTTP metrics shared by the Quart and FastAPI middleware, on the default Prometheus registry.

Metric objects live at module level so they are registered once per process, however many
apps a test suite creates.
"""

from __future__ import annotations

import re

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

__all__ = [
    "HTTP_ERRORS",
    "HTTP_REQUESTS",
    "HTTP_REQUEST_DURATION",
    "UNMATCHED_ROUTE",
    "metrics_response",
    "normalize_route",
    "observe_http_request",
    "record_http_error",
]

# The *_created gauges double every scrape for no use in our dashboards or alerts.
disable_created_metrics()  # type: ignore[no-untyped-call]  # untyped upstream

# Label for requests that matched no route: raw paths would let any scanner explode cardinality.
UNMATCHED_ROUTE = "<unmatched>"

HTTP_REQUESTS = Counter(
    "huleedu_http_requests_total",
    "HTTP requests answered, by route template and status.",
    ["service", "method", "route", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "huleedu_http_request_duration_seconds",
    "HTTP request duration in seconds, by route template.",
    ["service", "method", "route"],
    # 0.3: the gateway read latency SLO's threshold (observability/prometheus/rules/http.yml)
    # must be a bucket boundary, or its error ratio cannot be computed.
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
HTTP_ERRORS = Counter(
    "huleedu_http_errors_total",
    "HTTP error responses, by error code.",
    ["service", "code"],
)

# Werkzeug/Quart rule converters: <batch_id>, <int:n>, <path:p>, <any(a,b):x>.
_WERKZEUG_PARAM = re.compile(r"<(?:[^<>]*:)?(\w+)>")


def normalize_route(template: str | None) -> str:
    """Route template in one style for both frameworks (`/v1/batches/{batch_id}`)."""
    if not template:
        return UNMATCHED_ROUTE
    return _WERKZEUG_PARAM.sub(r"{\1}", template)


def observe_http_request(
    service: str, method: str, route: str, status: int, duration_seconds: float
) -> None:
    """Count one answered request and record its duration."""
    HTTP_REQUESTS.labels(service=service, method=method, route=route, status=str(status)).inc()
    HTTP_REQUEST_DURATION.labels(service=service, method=method, route=route).observe(
        duration_seconds
    )


def record_http_error(service: str, code: str) -> None:
    """Count one error response by its ErrorCode value."""
    HTTP_ERRORS.labels(service=service, code=code).inc()


def metrics_response() -> tuple[bytes, str]:
    """The default registry in the Prometheus text format, with its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
