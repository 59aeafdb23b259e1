"""HTTP entrypoint of the Essay Lifecycle Service: the internal status API."""

from __future__ import annotations

import asyncio

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from essay_lifecycle_service.api.status_routes import status_bp
from essay_lifecycle_service.config import EssayLifecycleSettings
from essay_lifecycle_service.di import make_container
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.http import create_quart_app, serve_quart
from huleedu_service_libs.observability import database_check


def create_app(settings: EssayLifecycleSettings, engine: AsyncEngine | None = None) -> Quart:
    """The status API with DI and database health (engine injectable for tests)."""
    engine = engine or create_engine_from_settings(settings)
    return create_quart_app(
        settings,
        make_container(settings, engine),
        blueprints=[status_bp],
        readiness_checks=[database_check(engine)],
        on_shutdown=[engine.dispose],
    )


def main() -> None:
    """Serve until SIGTERM/SIGINT."""
    settings = EssayLifecycleSettings()
    asyncio.run(serve_quart(create_app(settings), settings))


if __name__ == "__main__":
    main()
