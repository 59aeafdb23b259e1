"""HTTP entrypoint of the Result Aggregator: the internal results API."""

from __future__ import annotations

import asyncio

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.http import create_quart_app, serve_quart
from huleedu_service_libs.observability import database_check
from result_aggregator_service.api.result_routes import results_bp
from result_aggregator_service.config import ResultAggregatorSettings
from result_aggregator_service.di import make_container


def create_app(settings: ResultAggregatorSettings, engine: AsyncEngine | None = None) -> Quart:
    """The results API with DI and database health (engine injectable for tests)."""
    engine = engine or create_engine_from_settings(settings)
    return create_quart_app(
        settings,
        make_container(settings, engine),
        blueprints=[results_bp],
        readiness_checks=[database_check(engine)],
        on_shutdown=[engine.dispose],
    )


def main() -> None:
    """Serve until SIGTERM/SIGINT."""
    settings = ResultAggregatorSettings()
    asyncio.run(serve_quart(create_app(settings), settings))


if __name__ == "__main__":
    main()
