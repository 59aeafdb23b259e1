"""The gateway's FastAPI app: public REST routes, realtime, rate limits; `python -m` serves it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute

from api_gateway_service.api.association_routes import association_router
from api_gateway_service.api.batch_routes import batch_router
from api_gateway_service.api.class_routes import class_router
from api_gateway_service.api.dev_routes import dev_router
from api_gateway_service.api.file_routes import file_router
from api_gateway_service.api.pipeline_routes import pipeline_router
from api_gateway_service.api.student_routes import student_router
from api_gateway_service.auth import BEARER_SCHEME, TokenIssuer, TokenVerifier
from api_gateway_service.body_limit import JsonBodyLimitMiddleware, register_body_limit_handler
from api_gateway_service.config import GatewaySettings
from api_gateway_service.operator_metrics import OperatorMetrics
from api_gateway_service.rate_limit import (
    RouteLimits,
    build_limiter,
    register_rate_limit_handler,
    user_limit_dependency,
)
from api_gateway_service.realtime import Realtime
from api_gateway_service.web import install_web
from api_gateway_service.wiring import (
    build_backends,
    kafka_health_check,
    make_producer,
    register_downstream_handler,
    start_producer,
)
from huleedu_service_libs.http import install_fastapi_support, serve_asgi
from huleedu_service_libs.observability.health import redis_check
from huleedu_service_libs.realtime import RedisPubSub

__all__ = ["create_app", "main"]

API_VERSION = "1.0.0"
DESCRIPTION = (
    "Public API of the HuleEdu platform for teachers and CLI clients: manage classes and "
    "students, register batches, upload essays, confirm who wrote them, start pipelines and "
    "read results. Every route except the development "
    "token route needs `Authorization: Bearer <JWT>`. Errors use one body: "
    '`{"error": {"code", "message", "correlation_id", "service", "details"}}`.'
)
# Enough parallel downstream connections for one gateway process under load.
_CONNECTION_LIMIT = 200


def _include_realtime(app: FastAPI, realtime: Realtime, limits: RouteLimits) -> None:
    """The realtime router, with the write limit (per user) on its HTTP routes (the ticket)."""
    http_routes, other_routes = APIRouter(), APIRouter()
    for route in realtime.router.routes:
        (http_routes if isinstance(route, APIRoute) else other_routes).routes.append(route)
    # Dependencies given to include_router are applied to each route as it is added; a
    # router's own `dependencies` only reach routes created through that router.
    app.include_router(
        http_routes,
        dependencies=[Depends(BEARER_SCHEME), Depends(user_limit_dependency(limits.write))],
    )
    app.include_router(other_routes)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """The gateway app; clients, producer and realtime start in its lifespan."""
    settings = settings or GatewaySettings()
    verifier = TokenVerifier(settings)
    issuer = TokenIssuer(settings)
    pubsub = RedisPubSub.from_url(
        settings.redis_url,
        socket_connect_timeout=settings.redis_connect_timeout_seconds,
        socket_timeout=settings.redis_socket_timeout_seconds,
        health_check_interval=settings.redis_health_check_interval_seconds,
    )
    producer = make_producer(settings)
    realtime = Realtime(settings, verifier, pubsub.client)
    operator_metrics = OperatorMetrics(settings, realtime.bridge.topic)
    limiter = build_limiter(settings)
    limits = RouteLimits.from_settings(limiter, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=_CONNECTION_LIMIT),
            # The body of an upload is forwarded as it came: no automatic decompression.
            auto_decompress=False,
        )
        app.state.backends = build_backends(settings, session, producer)
        await start_producer(producer)
        await realtime.start()
        await operator_metrics.start()
        try:
            yield
        finally:
            try:
                await operator_metrics.stop()
                await realtime.stop()
            finally:
                await session.close()
                await producer.stop()
                await pubsub.close()

    app = FastAPI(
        title="HuleEdu API",
        version=API_VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        # /docs and /redoc come from api_gateway_service.web, with their assets served here
        # (FastAPI's own pages load them from a CDN, blank on a network without one).
        docs_url=None,
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.verifier = verifier
    install_fastapi_support(
        app,
        settings,
        [redis_check(pubsub.client), kafka_health_check(producer), *realtime.health_checks()],
        liveness_checks=realtime.liveness_checks(),
    )
    app.add_middleware(JsonBodyLimitMiddleware, limit=settings.max_json_body_bytes)
    register_body_limit_handler(app, settings.service_name)
    register_rate_limit_handler(app, limiter, settings.service_name)
    register_downstream_handler(app)
    if issuer.enabled:
        app.include_router(dev_router(issuer))
    secured = [Depends(BEARER_SCHEME)]
    app.include_router(batch_router(limits), dependencies=secured)
    app.include_router(file_router(limits, settings), dependencies=secured)
    app.include_router(pipeline_router(limits), dependencies=secured)
    app.include_router(association_router(limits), dependencies=secured)
    app.include_router(class_router(limits, settings), dependencies=secured)
    app.include_router(student_router(limits), dependencies=secured)
    _include_realtime(app, realtime, limits)
    install_web(app, settings)
    return app


def main() -> None:
    """Serve with settings.http_server (uvicorn by default) until SIGTERM/SIGINT."""
    settings = GatewaySettings()
    asyncio.run(serve_asgi(create_app(settings), settings))


if __name__ == "__main__":
    main()
