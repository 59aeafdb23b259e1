"""Quart request hooks, error handlers and operator routes; assembled by quart_support."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from quart import Quart, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.correlation import (
    CORRELATION_ID_HEADER,
    INTERNAL_API_KEY_HEADER,
    USER_ID_HEADER,
    ensure_correlation_id,
    get_correlation_id,
    is_valid_id,
    set_correlation_id,
    set_user_id,
)
from huleedu_service_libs.errors import HuleEduError
from huleedu_service_libs.http._shared import (
    DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS,
    INTERNAL_PATH_PREFIX,
    QUIET_PATHS,
    ErrorResponse,
    check_internal_api_key,
    from_http_status,
    from_huleedu_error,
    from_unhandled,
    from_validation_errors,
    logger,
)
from huleedu_service_libs.observability.metrics import (
    metrics_response,
    normalize_route,
    observe_http_request,
)
from huleedu_service_libs.observability.probes import (
    HEALTHZ_PATH,
    LIVE_PATH,
    READY_PATH,
    ProbeAnswer,
    Probes,
)

# Framework headers that our JSON error body replaces rather than keeps.
_DROPPED_HEADERS = frozenset({"content-type", "content-length"})


def _json_response(
    body: Mapping[str, Any], status: int, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(
        json.dumps(body),
        status=status,
        headers=dict(headers or {}),
        content_type="application/json",
    )


def _to_response(error: ErrorResponse) -> Response:
    return _json_response(error.body, error.status, error.headers)


def register_error_handlers(
    app: Quart,
    service: str,
    *,
    dependency_retry_after_seconds: int = DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS,
) -> None:
    """Turn every failure into the shared error body with the right status.

    A dependency outage (PostgreSQL, Redis, Kafka, another service) is 503 naming it, with
    Retry-After; anything else unexpected is 500.
    """

    async def on_huleedu_error(exc: HuleEduError) -> Response:
        return _to_response(
            from_huleedu_error(exc, service=service, method=request.method, path=request.path)
        )

    async def on_http_exception(exc: HTTPException) -> Response:
        status = exc.code or 500
        headers = {k: v for k, v in exc.get_headers() if k.lower() not in _DROPPED_HEADERS}
        details: dict[str, Any] = {}
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            details["allowed_methods"] = sorted(exc.valid_methods)
        message = exc.description or exc.name
        return _to_response(
            from_http_status(
                status,
                message,
                service=service,
                method=request.method,
                path=request.path,
                details=details,
                headers=headers,
            )
        )

    async def on_validation_error(exc: ValidationError) -> Response:
        return _to_response(
            from_validation_errors(
                exc.errors(), service=service, method=request.method, path=request.path
            )
        )

    async def on_unhandled(exc: Exception) -> Response:
        return _to_response(
            from_unhandled(
                exc,
                service=service,
                method=request.method,
                path=request.path,
                retry_after_seconds=dependency_retry_after_seconds,
            )
        )

    app.register_error_handler(HuleEduError, on_huleedu_error)
    app.register_error_handler(HTTPException, on_http_exception)
    app.register_error_handler(ValidationError, on_validation_error)
    app.register_error_handler(Exception, on_unhandled)


def install_request_context(app: Quart, service: str) -> None:
    """Correlation id in, correlation id out, one metric sample and log line per request."""

    async def start_request() -> None:
        g.huleedu_started = time.perf_counter()
        # Each request runs in its own asyncio task (its own context copy), so these
        # values cannot leak into another request and need no reset.
        set_correlation_id(ensure_correlation_id(request.headers.get(CORRELATION_ID_HEADER)))
        user_id = request.headers.get(USER_ID_HEADER)
        set_user_id(user_id if is_valid_id(user_id) else None)

    async def finish_request(response: Response) -> Response:
        correlation_id = get_correlation_id()
        if correlation_id is not None:
            response.headers[CORRELATION_ID_HEADER] = correlation_id
        started: float | None = g.get("huleedu_started")
        duration = time.perf_counter() - started if started is not None else 0.0
        route = normalize_route(request.url_rule.rule if request.url_rule else None)
        observe_http_request(service, request.method, route, response.status_code, duration)
        log = logger.debug if request.path in QUIET_PATHS else logger.info
        log(
            "http.request",
            method=request.method,
            route=route,
            path=request.path,
            status=response.status_code,
            duration_ms=round(duration * 1000, 2),
        )
        return response

    app.before_request(start_request)
    app.after_request(finish_request)


def install_internal_guard(app: Quart, settings: ServiceSettings) -> None:
    """Every /internal/... route demands the key, so no route can forget the check."""

    async def guard_internal_routes() -> None:
        if request.path.startswith(INTERNAL_PATH_PREFIX):
            check_internal_api_key(
                request.headers.get(INTERNAL_API_KEY_HEADER), settings.internal_api_key
            )

    app.before_request(guard_internal_routes)


def install_operator_routes(app: Quart, probes: Probes) -> None:
    """GET /healthz/live, /healthz/ready, /healthz (= ready) and /metrics; monitor and gauges."""

    def _probe_response(answer: ProbeAnswer) -> Response:
        return _json_response(answer.body, answer.status, answer.headers)

    async def live() -> Response:
        """Liveness: the event loop turns and the background loops are alive."""
        return _probe_response(await probes.live())

    async def ready() -> Response:
        """Readiness: every dependency answers (503 names the ones that do not)."""
        return _probe_response(await probes.ready())

    async def metrics() -> Response:
        """Prometheus metrics of this process."""
        payload, content_type = metrics_response()
        return Response(payload, status=200, content_type=content_type)

    app.add_url_rule(LIVE_PATH, "huleedu_live", live, methods=["GET"])
    app.add_url_rule(READY_PATH, "huleedu_ready", ready, methods=["GET"])
    app.add_url_rule(HEALTHZ_PATH, "huleedu_healthz", ready, methods=["GET"])
    app.add_url_rule("/metrics", "huleedu_metrics", metrics, methods=["GET"])
    app.before_serving(probes.start)
    app.after_serving(probes.stop)
