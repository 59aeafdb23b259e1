"""HTTP entrypoint of the Content Service."""

from __future__ import annotations

import asyncio

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from content_service.api.content_routes import content_bp
from content_service.config import ContentServiceSettings
from content_service.di import make_container
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.http import create_quart_app, serve_quart
from huleedu_service_libs.observability import database_check

# Multipart and framing overhead on top of the largest blob we accept.
_BODY_OVERHEAD_BYTES = 64 * 1024


def create_app(settings: ContentServiceSettings, engine: AsyncEngine | None = None) -> Quart:
    """The Content Service app: routes, DI, health of its database (engine injectable)."""
    engine = engine or create_engine_from_settings(settings)
    app = create_quart_app(
        settings,
        make_container(settings, engine),
        blueprints=[content_bp],
        readiness_checks=[database_check(engine)],
        on_shutdown=[engine.dispose],
    )
    app.config["MAX_CONTENT_LENGTH"] = settings.max_content_bytes + _BODY_OVERHEAD_BYTES
    return app


def main() -> None:
    """Serve until SIGTERM/SIGINT."""
    settings = ContentServiceSettings()
    asyncio.run(serve_quart(create_app(settings), settings))


if __name__ == "__main__":
    main()
