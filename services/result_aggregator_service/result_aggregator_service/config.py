"""Result Aggregator Service settings (env prefix RESULT_AGGREGATOR_SERVICE_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from huleedu_service_libs.config import ServiceSettings


class ResultAggregatorSettings(ServiceSettings):
    """Ports, database, the BOS and Content Service clients, and the consumer's retry budget."""

    model_config = SettingsConfigDict(env_prefix="RESULT_AGGREGATOR_SERVICE_", extra="ignore")

    service_name: str = "result_aggregator_service"
    http_port: int = 4003
    worker_http_port: int = 4004
    database_name: str = "huleedu_result_aggregator"
    # Uvicorn, not hypercorn: the results API is CPU-bound under many teachers polling their
    # batches, and hypercorn costs more per request (CMS measured the same; PERF_BASELINES.md).
    http_server: str = Field(default="uvicorn", description="uvicorn or hypercorn")
    # No pre-ping: on asyncpg it is three round trips (BEGIN, an empty query, ROLLBACK) per
    # checkout, where a batch read is one statement. After a PostgreSQL restart one request
    # per pooled connection fails (a read answers 503; the worker's handler is retried as a
    # transient error) and the pool replaces its older connections.
    database_pool_pre_ping: bool = False

    bos_url: str = "http://127.0.0.1:5001"
    bos_timeout_seconds: float = Field(default=5.0, gt=0)
    bos_max_attempts: int = Field(default=3, ge=1)

    content_service_url: str = "http://127.0.0.1:8001"
    content_timeout_seconds: float = Field(default=5.0, gt=0)
    content_max_attempts: int = Field(default=2, ge=1)

    consumer_max_attempts: int = Field(default=3, ge=1)
    # How long one message may wait out an outage (BOS or PostgreSQL down) before it is
    # dead-lettered; meanwhile its offset stays uncommitted, so nothing is skipped.
    consumer_transient_budget_seconds: float = Field(default=900.0, gt=0)
