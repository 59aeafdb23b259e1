"""Typed settings: shared infrastructure coordinates and the base class every service extends."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from huleedu_service_libs.crypto import has_key

# Values that must never reach production: they are public in this repository.
_PLACEHOLDER_SECRETS = frozenset(
    {"", "changeme", "change-me", "secret", "dev-internal-api-key", "huleedu_dev_password"}
)


class Environment(StrEnum):
    """Where a process runs; only development and test may use placeholder secrets."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class InfraSettings(BaseSettings):
    """Where PostgreSQL, Redis, Kafka and LanguageTool listen; the scripts' HULEEDU_* names."""

    model_config = SettingsConfigDict(env_prefix="HULEEDU_", extra="ignore")

    pg_host: str = "127.0.0.1"
    pg_port: int = 25432
    pg_user: str = "huleedu"
    pg_password: str = "huleedu_dev_password"  # noqa: S105 - local loopback default only
    redis_host: str = "127.0.0.1"
    redis_port: int = 26379
    kafka_host: str = "127.0.0.1"
    kafka_port: int = 29092
    kafka_bootstrap_servers: str = ""
    kafka_partitions: int = 3
    kafka_replication_factor: int = 1
    languagetool_host: str = "127.0.0.1"
    languagetool_port: int = 28081
    # HULEEDU_LANGUAGETOOL_URL overrides host and port, e.g. for a server elsewhere; the
    # HTTP API's paths (/v2/check, /v2/languages) follow it.
    languagetool_url: str = ""
    # HULEEDU_LOG_FORMAT: json or console for every service whose own <PREFIX>LOG_FORMAT is
    # empty (`make bench` starts the stack with json, as production renders).
    log_format: str = ""

    @model_validator(mode="after")
    def _derive_bootstrap(self) -> InfraSettings:
        if not self.kafka_bootstrap_servers:
            self.kafka_bootstrap_servers = f"{self.kafka_host}:{self.kafka_port}"
        if not self.languagetool_url:
            self.languagetool_url = f"http://{self.languagetool_host}:{self.languagetool_port}"
        return self

    def database_url(self, database: str) -> str:
        """SQLAlchemy asyncpg URL for one of the platform's databases."""
        return (
            f"postgresql+asyncpg://{self.pg_user}:{self.pg_password}"
            f"@{self.pg_host}:{self.pg_port}/{database}"
        )

    @property
    def redis_url(self) -> str:
        """Redis URL for database 0."""
        return f"redis://{self.redis_host}:{self.redis_port}/0"


class ServiceSettings(BaseSettings):
    """Base for every service's settings; subclasses set env_prefix and database_name."""

    model_config = SettingsConfigDict(extra="ignore", env_nested_delimiter="__")

    service_name: str = "huleedu"
    environment: Environment = Environment.DEVELOPMENT
    log_level: str = "INFO"
    log_format: str = Field(default="", description="json or console; empty picks by environment")
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    http_server: str = Field(default="hypercorn", description="hypercorn or uvicorn")
    # gc.collect() + gc.freeze() once the app's startup hooks ran (huleedu_service_libs.gc_tuning).
    gc_freeze_after_startup: bool = True
    internal_api_key: str = "dev-internal-api-key"
    database_name: str = ""
    database_url: str = ""
    database_schema: str = Field(default="", description="search_path; empty means public")
    database_pool_size: int = 10
    # Pre-ping tests every connection on checkout (three round trips on asyncpg: BEGIN, an
    # empty query, ROLLBACK; ~0.3 ms of CPU). Without it, the first statement on a
    # connection that PostgreSQL closed (restart, failover) fails once and the pool then
    # drops every connection older than that failure.
    database_pool_pre_ping: bool = True
    # Replace a pooled connection older than this on checkout (-1: never); bounds how long a
    # connection can outlive idle timeouts of the network in between.
    database_pool_recycle_seconds: int = Field(default=-1, ge=-1)
    redis_url: str = ""
    kafka_bootstrap_servers: str = ""
    kafka_consumer_group: str = ""
    outbox_poll_interval_seconds: float = 2.0
    outbox_batch_size: int = 1000
    outbox_max_attempts: int = 10
    # Retry-After (seconds) of a 503 answered because PostgreSQL, Redis, Kafka or another
    # service is unavailable.
    dependency_retry_after_seconds: int = Field(default=5, ge=1)
    # How often gauges that must be asked for are refreshed: huleedu_dependency_up (the
    # readiness checks) and huleedu_kafka_consumer_lag (the admin API). Prometheus scrapes
    # every 15 s, so refreshing faster only costs queries.
    metrics_refresh_seconds: float = Field(default=15.0, gt=0)
    # Periodic jobs (huleedu_service_libs.periodic): each wait is the job's interval ± this
    # share of it, so the workers of one service do not tick in lockstep; a job whose last
    # successful tick is older than this many intervals makes the worker unready.
    periodic_jitter_ratio: float = Field(default=0.1, ge=0, lt=1)
    periodic_stale_after_intervals: float = Field(default=3.0, gt=1)

    @model_validator(mode="after")
    def _fill_infra_defaults(self) -> ServiceSettings:
        infra = InfraSettings()
        if not self.log_format:
            self.log_format = infra.log_format
        if not self.database_url and self.database_name:
            self.database_url = infra.database_url(self.database_name)
        if not self.redis_url:
            self.redis_url = infra.redis_url
        if not self.kafka_bootstrap_servers:
            self.kafka_bootstrap_servers = infra.kafka_bootstrap_servers
        if not self.kafka_consumer_group:
            self.kafka_consumer_group = self.service_name
        return self

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> ServiceSettings:
        if self.environment is Environment.PRODUCTION:
            for name, value in self.secret_values().items():
                if value.strip().lower() in _PLACEHOLDER_SECRETS or len(value) < 16:
                    raise ValueError(f"{name} must be set to a real secret in production")
            if "huleedu_dev_password" in self.database_url:
                raise ValueError("database_url uses the development password in production")
            for name, key in self.development_keys().items():
                # Even as an old key of a ring: whatever it decrypts, anyone could.
                if has_key(getattr(self, name), key):
                    raise ValueError(f"{name} holds a development key, refused in production")
        return self

    def development_keys(self) -> dict[str, str]:
        """Key settings defaulting to a public development key, as {field: that key}.

        Such a key works on a laptop, is refused in production (also as an old key of a
        comma-separated ring) and is masked in logs; subclasses add theirs.
        """
        return {}

    def secret_values(self) -> dict[str, str]:
        """Secrets to validate outside development; subclasses add their own."""
        keys = {name: str(getattr(self, name)) for name in self.development_keys()}
        return {"internal_api_key": self.internal_api_key, **keys}

    @property
    def is_development(self) -> bool:
        """True where developer conveniences (console logs, token minting) are allowed."""
        return self.environment is not Environment.PRODUCTION

    @property
    def json_logs(self) -> bool:
        """JSON logs in production unless told otherwise; console logs elsewhere."""
        if self.log_format:
            return self.log_format.lower() == "json"
        return self.environment is Environment.PRODUCTION

    def public_dict(self) -> dict[str, Any]:
        """Settings with secrets masked, for startup logs."""
        data = self.model_dump(mode="json")
        for key in self.secret_values():
            data[key] = "***"
        data["database_url"] = _mask_url(self.database_url)
        return data


def _mask_url(url: str) -> str:
    if "@" not in url or "://" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
