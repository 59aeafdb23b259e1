"""Alembic environment: the Grammar Service's metadata and database URL."""

from grammar_service.adapters.tables import metadata
from grammar_service.config import GrammarSettings
from huleedu_service_libs.db.alembic_env import run_migrations

run_migrations(metadata, GrammarSettings().database_url)
