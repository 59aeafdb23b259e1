"""HTTP entrypoint of the Class Management Service: courses, classes, students, associations."""

from __future__ import annotations

import asyncio
import gc

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


async def freeze_startup_heap() -> None:
    """Exempt what startup built from the cyclic garbage collector's full passes.

    The modules, models and compiled statements loaded by then live as long as the process;
    without this every full collection walks them all again, and a 1,000-row roster import
    allocates enough to set off several (about a fifth of its CPU, measured). No collection
    first: it costs ~0.16 s in a test process (an app per test), and the little garbage
    startup leaves is only kept until shutdown unfreezes it.
    """
    gc.freeze()


async def unfreeze_heap() -> None:
    """Give the frozen objects back to the collector (an app made and shut down in tests)."""
    gc.unfreeze()


def create_app(settings: ClassManagementSettings, engine: AsyncEngine | None = None) -> Quart:
    """The internal API with DI and database health (engine injectable for tests)."""
    engine = engine or create_engine_from_settings(settings)
    return create_quart_app(
        settings,
        make_container(settings, engine),
        blueprints=[courses_bp, classes_bp, students_bp, associations_bp],
        readiness_checks=[database_check(engine)],
        on_startup=[freeze_startup_heap],
        on_shutdown=[engine.dispose, unfreeze_heap],
    )


def main() -> None:
    """Serve until SIGTERM/SIGINT."""
    settings = ClassManagementSettings()
    asyncio.run(serve_quart(create_app(settings), settings))


if __name__ == "__main__":
    main()
