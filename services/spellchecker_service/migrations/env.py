"""Alembic environment: the Spell Checker's metadata and database URL."""

from huleedu_service_libs.db.alembic_env import run_migrations
from spellchecker_service.adapters.tables import metadata
from spellchecker_service.config import SpellcheckerSettings

run_migrations(metadata, SpellcheckerSettings().database_url)
