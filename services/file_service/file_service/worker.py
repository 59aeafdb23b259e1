"""Kafka entrypoint of the File Service: the outbox relay, with its own /healthz and /metrics."""

from __future__ import annotations

import asyncio

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from file_service.config import FileServiceSettings
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.http import serve_quart
from huleedu_service_libs.worker import create_worker_app as create_runtime_app


def _worker_settings(settings: FileServiceSettings) -> FileServiceSettings:
    return settings.model_copy(update={"http_port": settings.worker_http_port})


def create_worker_app(settings: FileServiceSettings, engine: AsyncEngine | None = None) -> Quart:
    """Serves health and metrics while the relay publishes the outbox (nothing is consumed)."""
    worker_settings = _worker_settings(settings)
    app, _runtime = create_runtime_app(
        worker_settings, engine or create_engine_from_settings(worker_settings)
    )
    return app


def main() -> None:
    """Relay until SIGTERM/SIGINT."""
    settings = FileServiceSettings()
    asyncio.run(serve_quart(create_worker_app(settings), _worker_settings(settings)))


if __name__ == "__main__":
    main()
