"""Batch Orchestrator settings (env prefix BATCH_ORCHESTRATOR_SERVICE_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from huleedu_service_libs.config import ServiceSettings


class BatchOrchestratorSettings(ServiceSettings):
    """Ports, database and consumer tuning of the Batch Orchestrator."""

    model_config = SettingsConfigDict(env_prefix="BATCH_ORCHESTRATOR_SERVICE_", extra="ignore")

    service_name: str = "batch_orchestrator_service"
    http_port: int = 5001
    worker_http_port: int = 5003
    database_name: str = "huleedu_batch_orchestrator"

    consumer_max_attempts: int = 3
    consumer_transient_budget_seconds: float = 120.0
