"""HTTP entrypoint of the Class Management Service: courses, classes, students, associations."""

from __future__ import annotations

import asyncio

from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from class_management_service.api.association_routes import associations_bp
from class_management_service.api.class_routes import classes_bp
from class_management_service.api.course_routes import courses_bp
from class_management_service.api.student_routes import students_bp
from class_management_service.config import ClassManagementSettings
from class_management_service.di import make_container
from huleedu_service_libs.db import create_engine_from_settings
from huleedu_service_libs.http import create_quart_app, serve_quart
from huleedu_service_libs.observability import database_check


def create_app(settings: ClassManagementSettings, engine: AsyncEngine | None = None) -> Quart:
    """The internal API with DI and database health (engine injectable for tests)."""
    engine = engine or create_engine_from_settings(settings)
    return create_quart_app(
        settings,
        make_container(settings, engine),
        blueprints=[courses_bp, classes_bp, students_bp, associations_bp],
        readiness_checks=[database_check(engine)],
        on_shutdown=[engine.dispose],
    )


def main() -> None:
    """Serve until SIGTERM/SIGINT."""
    settings = ClassManagementSettings()
    asyncio.run(serve_quart(create_app(settings), settings))


if __name__ == "__main__":
    main()
