"""Batch Orchestrator settings (env prefix BATCH_ORCHESTRATOR_SERVICE_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.resilience import DEFAULT_RESET_TIMEOUT_SECONDS


class BatchOrchestratorSettings(ServiceSettings):
    """Ports, database, consumer tuning and the Class Management client of the orchestrator."""

    model_config = SettingsConfigDict(env_prefix="BATCH_ORCHESTRATOR_SERVICE_", extra="ignore")

    service_name: str = "batch_orchestrator_service"
    http_port: int = 5001
    worker_http_port: int = 5003
    database_name: str = "huleedu_batch_orchestrator"

    consumer_max_attempts: int = 3
    consumer_transient_budget_seconds: float = 120.0

    # Class Management Service: checked when a batch is registered for a class.
    cms_url: str = "http://127.0.0.1:5002"
    cms_timeout_seconds: float = Field(default=5.0, gt=0)
    # Attempts per check; only connection failures are retried (the GET is idempotent).
    cms_max_attempts: int = Field(default=3, ge=1)
    cms_breaker_fail_max: int = Field(default=5, ge=1)
    cms_breaker_reset_seconds: float = Field(default=DEFAULT_RESET_TIMEOUT_SECONDS, ge=0)
