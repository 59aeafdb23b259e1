"""Alembic environment: the Content Service's metadata and database URL."""

from content_service.adapters.tables import metadata
from content_service.config import ContentServiceSettings
from huleedu_service_libs.db.alembic_env import run_migrations

run_migrations(metadata, ContentServiceSettings().database_url)
