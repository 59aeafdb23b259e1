"""Alembic environment: the Class Management Service's metadata and database URL."""

from class_management_service.adapters.tables import metadata
from class_management_service.config import ClassManagementSettings
from huleedu_service_libs.db.alembic_env import run_migrations

run_migrations(metadata, ClassManagementSettings().database_url)
