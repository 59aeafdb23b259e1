"""HTTP entrypoint of the Batch Orchestrator."""

from __future__ import annotations

import asyncio

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from batch_orchestrator_service.api.batch_routes import batches_bp
from batch_orchestrator_service.config import BatchOrchestratorSettings
from batch_orchestrator_service.di import make_container
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.http import create_quart_app, serve_quart
from huleedu_service_libs.observability import database_check


def create_app(settings: BatchOrchestratorSettings, engine: AsyncEngine | None = None) -> Quart:
    """The orchestrator's app: batch routes, DI, database health (engine injectable for tests)."""
    engine = engine or create_engine_from_settings(settings)
    return create_quart_app(
        settings,
        make_container(settings, engine),
        blueprints=[batches_bp],
        readiness_checks=[database_check(engine)],
        on_shutdown=[engine.dispose],
    )


def main() -> None:
    """Serve until SIGTERM/SIGINT."""
    settings = BatchOrchestratorSettings()
    asyncio.run(serve_quart(create_app(settings), settings))


if __name__ == "__main__":
    main()
