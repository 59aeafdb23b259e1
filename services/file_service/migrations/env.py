"""Alembic environment: the File Service's metadata and database URL."""

from file_service.adapters.tables import metadata
from file_service.config import FileServiceSettings
from huleedu_service_libs.db.alembic_env import run_migrations

run_migrations(metadata, FileServiceSettings().database_url)
