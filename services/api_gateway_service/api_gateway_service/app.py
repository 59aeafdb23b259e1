"""The gateway's FastAPI app: public REST routes, realtime, rate limits; `python -m` serves it."""

from __future__ import annotations

import asyncio

from dishka import Provider
from dishka.integrations.fastapi import setup_dishka
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute

from api_gateway_service.api.association_routes import association_router
from api_gateway_service.api.batch_routes import batch_router
from api_gateway_service.api.class_routes import class_router
from api_gateway_service.api.dev_routes import dev_router
from api_gateway_service.api.file_routes import file_router
from api_gateway_service.api.pipeline_routes import pipeline_router
from api_gateway_service.api.student_routes import student_router
from api_gateway_service.auth import BEARER_SCHEME
from api_gateway_service.body_limit import JsonBodyLimitMiddleware, register_body_limit_handler
from api_gateway_service.config import GatewaySettings
from api_gateway_service.di import GatewayParts, compose, lifespan, make_container
from api_gateway_service.rate_limit import RouteLimits
from api_gateway_service.realtime import Realtime
from api_gateway_service.web import install_web
from api_gateway_service.wiring import register_downstream_handler
from huleedu_service_libs.http import install_fastapi_support, serve_asgi

__all__ = ["create_app", "main"]

API_VERSION = "1.0.0"
DESCRIPTION = (
    "Public API of the HuleEdu platform for teachers and CLI clients: manage classes and "
    "students, register batches, upload essays, confirm who wrote them, start pipelines and "
    "read results. Every route except the development "
    "token route needs `Authorization: Bearer <JWT>`. Errors use one body: "
    '`{"error": {"code", "message", "correlation_id", "service", "details"}}`.'
)


def _include_realtime(app: FastAPI, realtime: Realtime, limits: RouteLimits) -> None:
    """The realtime router, with the write limit (per user) on its HTTP routes (the ticket)."""
    http_routes, other_routes = APIRouter(), APIRouter()
    for route in realtime.router.routes:
        (http_routes if isinstance(route, APIRoute) else other_routes).routes.append(route)
    # Dependencies given to include_router are applied to each route as it is added; a
    # router's own `dependencies` only reach routes created through that router.
    app.include_router(
        http_routes,
        dependencies=[Depends(BEARER_SCHEME), Depends(limits.write)],
    )
    app.include_router(other_routes)


def _include_routes(app: FastAPI, parts: GatewayParts) -> None:
    """The public routes: every one but the development token route needs a bearer token."""
    if parts.issuer.enabled:
        app.include_router(dev_router(parts.issuer))
    secured = [Depends(BEARER_SCHEME)]
    limits = parts.limits
    for router in (
        batch_router(limits),
        file_router(limits),
        pipeline_router(limits),
        association_router(limits),
        class_router(limits),
        student_router(limits),
    ):
        app.include_router(router, dependencies=secured)
    _include_realtime(app, parts.realtime, limits)


def _install_support(app: FastAPI, parts: GatewayParts) -> None:
    """Probes, metrics, logging, the body limit and the gateway's own error answers."""
    settings = parts.settings
    install_fastapi_support(
        app, settings, parts.readiness_checks(), liveness_checks=parts.realtime.liveness_checks()
    )
    app.add_middleware(JsonBodyLimitMiddleware, limit=settings.max_json_body_bytes)
    register_body_limit_handler(app, settings.service_name)
    register_downstream_handler(app)


def create_app(
    settings: GatewaySettings | None = None, *, overrides: tuple[Provider, ...] = ()
) -> FastAPI:
    """The gateway app (di.py builds its parts); `overrides` replace container providers."""
    parts = compose(settings or GatewaySettings())
    container = make_container(parts, *overrides)
    app = FastAPI(
        title="HuleEdu API",
        version=API_VERSION,
        description=DESCRIPTION,
        lifespan=lifespan(parts, container),
        # /docs and /redoc come from api_gateway_service.web, with their assets served here
        # (FastAPI's own pages load them from a CDN, blank on a network without one).
        docs_url=None,
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    app.state.settings = parts.settings
    # Authentication is a FastAPI dependency (the rate-limit key and the sockets share it).
    app.state.verifier = parts.verifier
    # First middleware added, so the innermost: each request's container scope.
    setup_dishka(container, app)
    _install_support(app, parts)
    _include_routes(app, parts)
    install_web(app, parts.settings)
    return app


def main() -> None:
    """Serve with settings.http_server (uvicorn by default) until SIGTERM/SIGINT."""
    settings = GatewaySettings()
    asyncio.run(serve_asgi(create_app(settings), settings))


if __name__ == "__main__":
    main()
