"""FastAPI plumbing: correlation ids, error bodies, metrics, health probes and /metrics."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.correlation import (
    CORRELATION_ID_HEADER,
    USER_ID_HEADER,
    ensure_correlation_id,
    is_valid_id,
    reset_correlation_id,
    reset_user_id,
    set_correlation_id,
    set_user_id,
)
from huleedu_service_libs.errors import HuleEduError
from huleedu_service_libs.http._shared import (
    DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS,
    QUIET_PATHS,
    ErrorResponse,
    from_http_status,
    from_huleedu_error,
    from_unhandled,
    from_validation_errors,
    logger,
)
from huleedu_service_libs.logging_setup import configure_logging
from huleedu_service_libs.observability.health import HealthCheck
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

__all__ = [
    "CorrelationIdMiddleware",
    "PrometheusMiddleware",
    "install_fastapi_support",
    "operator_router",
    "register_exception_handlers",
]

_CORRELATION_HEADER_BYTES = CORRELATION_ID_HEADER.lower().encode("latin-1")


def _to_response(error: ErrorResponse) -> JSONResponse:
    return JSONResponse(error.body, status_code=error.status, headers=error.headers)


class CorrelationIdMiddleware:
    """Pure ASGI: sets correlation/user ids, echoes X-Correlation-ID, answers unhandled errors.

    It sits outside Starlette's exception middleware, so it is also the place where an
    unhandled exception becomes our body (with the correlation header still attached): 503
    naming the dependency for an outage, 500 for anything else.
    """

    def __init__(
        self,
        app: ASGIApp,
        service: str,
        dependency_retry_after_seconds: int = DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS,
    ) -> None:
        self.app = app
        self.service = service
        self.retry_after_seconds = dependency_retry_after_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        correlation_id = ensure_correlation_id(headers.get(CORRELATION_ID_HEADER))
        user_id = headers.get(USER_ID_HEADER)
        cid_token = set_correlation_id(correlation_id)
        uid_token = set_user_id(user_id if is_valid_id(user_id) else None)
        try:
            if scope["type"] == "websocket":
                await self.app(scope, receive, send)
            else:
                await self._handle_http(scope, receive, send, correlation_id)
        finally:
            reset_user_id(uid_token)
            reset_correlation_id(cid_token)

    async def _handle_http(
        self, scope: Scope, receive: Receive, send: Send, correlation_id: str
    ) -> None:
        started = False

        async def send_with_header(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                raw = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.lower() != _CORRELATION_HEADER_BYTES
                ]
                raw.append((_CORRELATION_HEADER_BYTES, correlation_id.encode("latin-1")))
                message = {**message, "headers": raw}
            await send(message)

        try:
            await self.app(scope, receive, send_with_header)
        except Exception as exc:
            if started:
                # Headers are out already; nothing valid can follow, let the server abort.
                raise
            error = from_unhandled(
                exc,
                service=self.service,
                method=scope["method"],
                path=scope["path"],
                retry_after_seconds=self.retry_after_seconds,
            )
            await _to_response(error)(scope, receive, send_with_header)


class PrometheusMiddleware:
    """Pure ASGI: counts and times requests by route template; logs one line per request."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            duration = time.perf_counter() - started
            route = normalize_route(_route_template(scope))
            method = scope["method"]
            observe_http_request(self.service, method, route, status, duration)
            log = logger.debug if scope["path"] in QUIET_PATHS else logger.info
            log(
                "http.request",
                method=method,
                route=route,
                path=scope["path"],
                status=status,
                duration_ms=round(duration * 1000, 2),
            )


def _route_template(scope: Scope) -> str | None:
    # The router stores the matched route in the (shared) scope; its path is the template.
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) else None


def register_exception_handlers(app: FastAPI, service: str) -> None:
    """HuleEduError, HTTPException and RequestValidationError answer with our error body."""

    async def on_huleedu_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, HuleEduError):
            raise exc
        return _to_response(
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
        return _to_response(
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
        return _to_response(
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


def _run_monitor_with_lifespan(app: FastAPI, probes: Probes) -> None:
    """Run the probes' monitor and gauges for as long as the app's own lifespan runs."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        await probes.start()
        try:
            async with inner(app_) as state:
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
    _run_monitor_with_lifespan(app, probes)
    return probes
