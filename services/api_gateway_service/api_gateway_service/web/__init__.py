"""The teacher web app and the API docs, served by the gateway on the API's own origin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api_gateway_service.config import GatewaySettings
from api_gateway_service.web.client_config import client_config_router
from api_gateway_service.web.docs_pages import docs_router
from api_gateway_service.web.security_headers import origin_of
from api_gateway_service.web.static_site import WebAppFallback, WebAppSite
from huleedu_service_libs.logging_setup import get_logger

__all__ = ["install_web"]

logger = get_logger(__name__)


def install_web(app: FastAPI, settings: GatewaySettings) -> None:
    """/config.json, /docs, /redoc, and the app's files for whatever no route claims.

    Call it after every API route is included: the app only answers what none of them does.
    """
    directory = settings.web_app_dir
    provider = origin_of(settings.web_oidc_authority) if settings.web_oidc_authority else None
    site = WebAppSite(directory, [provider] if provider else [])
    app.include_router(client_config_router(settings))
    app.include_router(docs_router(directory, app.title, app.openapi_url or "/openapi.json"))
    app.router.default = WebAppFallback(site, app.router.default)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app_: Any) -> AsyncIterator[Any]:
        # Said once at start-up, in the log operators read; building the app later needs no
        # restart (every request looks at the directory).
        if not site.built:
            logger.warning(
                "web_app.not_built",
                directory=str(directory),
                hint="make web builds it; / answers 503 until then, the API is unaffected",
            )
        async with inner(app_) as state:
            yield state

    app.router.lifespan_context = lifespan
