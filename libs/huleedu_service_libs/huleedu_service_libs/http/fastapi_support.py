"""FastAPI plumbing: correlation ids, error bodies, metrics, health probes and /metrics.

The ASGI middleware itself lives in `_asgi.py`; this module installs it with the rest."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.errors import HuleEduError
from huleedu_service_libs.gc_tuning import freeze_after_startup
from huleedu_service_libs.http._asgi import (
    CorrelationIdMiddleware,
    PrometheusMiddleware,
    to_json_response,
)
from huleedu_service_libs.http._shared import (
    from_http_status,
    from_huleedu_error,
    from_validation_errors,
)
from huleedu_service_libs.logging_setup import configure_logging
from huleedu_service_libs.observability.health import HealthCheck
from huleedu_service_libs.observability.metrics import metrics_response
from huleedu_service_libs.observability.probes import (
    HEALTHZ_PATH,
    LIVE_PATH,
    READY_PATH,
    ProbeAnswer,
    Probes,
)

__all__ = [
    "CorrelationIdMiddleware",
    "PrometheusMiddleware",
    "install_fastapi_support",
    "operator_router",
    "register_exception_handlers",
]


def register_exception_handlers(app: FastAPI, service: str) -> None:
    """HuleEduError, HTTPException and RequestValidationError answer with our error body."""

    async def on_huleedu_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, HuleEduError):
            raise exc
        return to_json_response(
            from_huleedu_error(exc, service=service, method=request.method, path=request.url.path)
        )

    async def on_http_exception(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, StarletteHTTPException):
            raise exc
        headers = dict(exc.headers or {})
        details: dict[str, Any] = {}
        if isinstance(exc.detail, dict):
            details = dict(exc.detail)
        if exc.status_code == 405 and "Allow" in headers:
            details["allowed_methods"] = sorted(m.strip() for m in headers["Allow"].split(","))
        message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
        return to_json_response(
            from_http_status(
                exc.status_code,
                message,
                service=service,
                method=request.method,
                path=request.url.path,
                details=details,
                headers=headers,
            )
        )

    async def on_request_validation(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, RequestValidationError):
            raise exc
        return to_json_response(
            from_validation_errors(
                exc.errors(), service=service, method=request.method, path=request.url.path
            )
        )

    app.add_exception_handler(HuleEduError, on_huleedu_error)
    app.add_exception_handler(StarletteHTTPException, on_http_exception)
    app.add_exception_handler(RequestValidationError, on_request_validation)


def operator_router(probes: Probes) -> APIRouter:
    """GET /healthz/live, /healthz/ready, /healthz (= ready) and /metrics, outside OpenAPI."""
    router = APIRouter(include_in_schema=False)

    def _probe_response(answer: ProbeAnswer) -> JSONResponse:
        return JSONResponse(answer.body, status_code=answer.status, headers=answer.headers)

    @router.get(LIVE_PATH)
    async def live() -> JSONResponse:
        """Liveness: the event loop turns and the background loops are alive."""
        return _probe_response(await probes.live())

    @router.get(READY_PATH)
    @router.get(HEALTHZ_PATH)
    async def ready() -> JSONResponse:
        """Readiness: every dependency answers (503 names the ones that do not)."""
        return _probe_response(await probes.ready())

    @router.get("/metrics")
    async def metrics() -> Response:
        """Prometheus metrics of this process."""
        payload, content_type = metrics_response()
        return Response(payload, media_type=content_type)

    return router


def _run_monitor_with_lifespan(app: FastAPI, probes: Probes, *, freeze_gc: bool) -> None:
    """Run the probes' monitor and gauges for as long as the app's own lifespan runs; once it
    started, freeze what startup built (gc_tuning)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        await probes.start()
        try:
            async with inner(app_) as state:
                freeze_after_startup(freeze_gc)
                try:
                    yield state
                finally:
                    # Before the app's own shutdown closes the clients the checks use.
                    await probes.stop()
        finally:
            await probes.stop()

    app.router.lifespan_context = lifespan


def install_fastapi_support(
    app: FastAPI,
    settings: ServiceSettings,
    readiness_checks: Sequence[HealthCheck] = (),
    *,
    liveness_checks: Sequence[HealthCheck] = (),
) -> Probes:
    """Logging, error handlers, correlation and metrics middleware, health probes, /metrics.

    readiness_checks are the process's dependencies (/healthz/ready); liveness_checks say
    whether its own background work is alive (/healthz/live, beside the event-loop check).
    """
    probes = Probes(
        settings.service_name,
        liveness_checks=liveness_checks,
        readiness_checks=readiness_checks,
        dependency_refresh_seconds=settings.metrics_refresh_seconds,
    )
    service = settings.service_name
    configure_logging(service, settings.log_level, settings.json_logs)
    register_exception_handlers(app, service)
    # add_middleware wraps from the inside out: the last one added runs first, so the
    # correlation id is set before metrics and logging see the request.
    app.add_middleware(PrometheusMiddleware, service=service)
    app.add_middleware(
        CorrelationIdMiddleware,
        service=service,
        dependency_retry_after_seconds=settings.dependency_retry_after_seconds,
    )
    app.include_router(operator_router(probes))
    _run_monitor_with_lifespan(app, probes, freeze_gc=settings.gc_freeze_after_startup)
    return probes
