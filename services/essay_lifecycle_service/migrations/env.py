"""Alembic environment: the Essay Lifecycle Service's metadata and database URL."""

from essay_lifecycle_service.adapters.tables import metadata
from essay_lifecycle_service.config import EssayLifecycleSettings
from huleedu_service_libs.db.alembic_env import run_migrations

run_migrations(metadata, EssayLifecycleSettings().database_url)
