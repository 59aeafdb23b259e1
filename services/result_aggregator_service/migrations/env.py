"""Alembic environment: the Result Aggregator Service's metadata and database URL."""

from huleedu_service_libs.db.alembic_env import run_migrations
from result_aggregator_service.adapters.tables import metadata
from result_aggregator_service.config import ResultAggregatorSettings

run_migrations(metadata, ResultAggregatorSettings().database_url)
