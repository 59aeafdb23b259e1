"""Quart app factory and plumbing: correlation ids, error bodies, metrics, probes, DI, serving."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ParamSpec, TypeVar, cast

from dishka import AsyncContainer
from dishka.integrations.base import is_dishka_injected
from quart import Blueprint, Quart, request
from quart_dishka import QuartDishka, inject

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.correlation import INTERNAL_API_KEY_HEADER
from huleedu_service_libs.gc_tuning import freeze_after_startup
from huleedu_service_libs.http._quart_handlers import (
    install_internal_guard,
    install_operator_routes,
    install_request_context,
    register_error_handlers,
)
from huleedu_service_libs.http._serve import serve_asgi
from huleedu_service_libs.http._shared import check_internal_api_key, logger
from huleedu_service_libs.logging_setup import configure_logging
from huleedu_service_libs.observability.health import HealthCheck
from huleedu_service_libs.observability.probes import Probes

__all__ = [
    "LifecycleHook",
    "create_quart_app",
    "install_quart_support",
    "register_error_handlers",
    "require_internal_api_key",
    "serve_quart",
]

P = ParamSpec("P")
R = TypeVar("R")
LifecycleHook = Callable[[], Awaitable[None]]


def install_quart_support(
    app: Quart,
    settings: ServiceSettings,
    *,
    readiness_checks: Sequence[HealthCheck] = (),
    liveness_checks: Sequence[HealthCheck] = (),
) -> Probes:
    """Correlation ids, error handlers, metrics, internal key guard, health probes, /metrics.

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
    # Registration order is execution order: the correlation id must be set before the
    # internal key guard (or anything else) can fail and log.
    install_request_context(app, service)
    install_internal_guard(app, settings)
    register_error_handlers(
        app, service, dependency_retry_after_seconds=settings.dependency_retry_after_seconds
    )
    install_operator_routes(app, probes)
    return probes


def require_internal_api_key(
    settings: ServiceSettings,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Decorator for a view outside /internal/ that still demands X-Internal-API-Key."""

    def decorator(view: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(view)
        async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            check_internal_api_key(
                request.headers.get(INTERNAL_API_KEY_HEADER), settings.internal_api_key
            )
            return await view(*args, **kwargs)

        return wrapper

    return decorator


def _inject_views(app: Quart) -> None:
    # Wrap once here instead of quart-dishka's auto_inject, which re-wraps on every request.
    for endpoint, view in list(app.view_functions.items()):
        if not is_dishka_injected(view):
            # Flask's sansio typing of view_functions does not know Quart's async views.
            app.view_functions[endpoint] = cast(Any, inject(view))


def _install_lifecycle(
    app: Quart,
    settings: ServiceSettings,
    container: AsyncContainer,
    on_startup: Sequence[LifecycleHook],
    on_shutdown: Sequence[LifecycleHook],
) -> None:
    async def startup() -> None:
        logger.info("service.starting", settings=settings.public_dict())
        for hook in on_startup:
            await hook()
        logger.info("service.started")
        freeze_after_startup(settings.gc_freeze_after_startup)

    async def shutdown() -> None:
        logger.info("service.stopping")
        try:
            for hook in on_shutdown:
                # One failing hook must not keep the others (or the container) from closing.
                try:
                    await hook()
                except Exception:
                    logger.exception("service.shutdown_hook_failed", hook=repr(hook))
        finally:
            await container.close()
            logger.info("service.stopped")

    app.before_serving(startup)
    app.after_serving(shutdown)


def create_quart_app(
    settings: ServiceSettings,
    container: AsyncContainer,
    *,
    blueprints: Sequence[Blueprint] = (),
    readiness_checks: Sequence[HealthCheck] = (),
    liveness_checks: Sequence[HealthCheck] = (),
    on_startup: Sequence[LifecycleHook] = (),
    on_shutdown: Sequence[LifecycleHook] = (),
    import_name: str | None = None,
) -> Quart:
    """A Quart app with logging, errors, metrics, probes, Dishka and lifecycle hooks wired.

    Views of the given blueprints get FromDishka parameters injected; routes added later
    need quart_dishka's @inject. The app closes the container after serving.
    """
    configure_logging(settings.service_name, settings.log_level, settings.json_logs)
    app = Quart(import_name or settings.service_name)
    install_quart_support(
        app, settings, readiness_checks=readiness_checks, liveness_checks=liveness_checks
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    # After install_quart_support: the request scope opens once the correlation id is set.
    QuartDishka(app=app, container=container)
    _inject_views(app)
    _install_lifecycle(app, settings, container, tuple(on_startup), tuple(on_shutdown))
    return app


async def serve_quart(
    app: Quart, settings: ServiceSettings, *, shutdown_event: asyncio.Event | None = None
) -> None:
    """Serve with settings.http_server on http_host:http_port until SIGTERM/SIGINT."""
    await serve_asgi(app, settings, shutdown_event=shutdown_event)
