"""Pure ASGI middleware of the FastAPI gateway: correlation and user ids, unhandled errors,
request metrics and the request log line."""

from __future__ import annotations

import time

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
from huleedu_service_libs.http._shared import (
    DEFAULT_DEPENDENCY_RETRY_AFTER_SECONDS,
    QUIET_PATHS,
    ErrorResponse,
    from_unhandled,
    logger,
)
from huleedu_service_libs.observability.metrics import normalize_route, observe_http_request

__all__ = ["CorrelationIdMiddleware", "PrometheusMiddleware", "to_json_response"]

_CORRELATION_HEADER_BYTES = CORRELATION_ID_HEADER.lower().encode("latin-1")


def to_json_response(error: ErrorResponse) -> JSONResponse:
    """Our error body as a FastAPI/Starlette JSON response."""
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
        """Run the request with its ids set; the response carries X-Correlation-ID."""
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
            await to_json_response(error)(scope, receive, send_with_header)


class PrometheusMiddleware:
    """Pure ASGI: counts and times requests by route template; logs one line per request."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Run the request, then count, time and log it."""
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
