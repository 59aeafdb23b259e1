"""Alembic environment: the Batch Orchestrator's metadata and database URL."""

from batch_orchestrator_service.adapters.tables import metadata
from batch_orchestrator_service.config import BatchOrchestratorSettings
from huleedu_service_libs.db.alembic_env import run_migrations

run_migrations(metadata, BatchOrchestratorSettings().database_url)
