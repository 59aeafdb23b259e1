"""HTTP entrypoint of the File Service."""

from __future__ import annotations

import asyncio

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from file_service.api.file_routes import files_bp
from file_service.config import FileServiceSettings
from file_service.di import make_container
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.http import create_quart_app, serve_quart
from huleedu_service_libs.observability import database_check

# Multipart framing on top of the files themselves.
_MULTIPART_OVERHEAD_BYTES = 1024 * 1024


def create_app(settings: FileServiceSettings, engine: AsyncEngine | None = None) -> Quart:
    """The File Service app: file routes, DI, database health (engine injectable for tests)."""
    engine = engine or create_engine_from_settings(settings)
    app = create_quart_app(
        settings,
        make_container(settings, engine),
        blueprints=[files_bp],
        readiness_checks=[database_check(engine)],
        on_shutdown=[engine.dispose],
    )
    # Quart answers 413 before reading a body larger than this.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes + _MULTIPART_OVERHEAD_BYTES
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.max_file_bytes + _MULTIPART_OVERHEAD_BYTES
    app.config["MAX_FORM_PARTS"] = settings.max_files_per_upload * 2 + 10
    return app


def main() -> None:
    """Serve until SIGTERM/SIGINT."""
    settings = FileServiceSettings()
    asyncio.run(serve_quart(create_app(settings), settings))


if __name__ == "__main__":
    main()
