"""File Service settings (env prefix FILE_SERVICE_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from file_service.domain.limits import ValidationLimits
from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.crypto import DEV_EVENT_PII_KEY
from huleedu_service_libs.resilience import DEFAULT_RESET_TIMEOUT_SECONDS


class FileServiceSettings(ServiceSettings):
    """Ports, downstream services, the BOS circuit breaker and file limits."""

    model_config = SettingsConfigDict(env_prefix="FILE_SERVICE_", extra="ignore")

    service_name: str = "file_service"
    http_port: int = 7001
    worker_http_port: int = 7002
    database_name: str = "huleedu_file"

    content_service_url: str = "http://127.0.0.1:8001"
    content_timeout_seconds: float = 10.0
    content_max_attempts: int = 3

    # Fernet keys, newest first, of personal data inside events, shared with Class Management
    # only: the parsed essay headers this service sends, the redaction terms of an erasure
    # it receives (documentation/events.md: how to rotate it across both services).
    event_pii_keys: str = DEV_EVENT_PII_KEY
    # The worker's erasure consumer: attempts for a failing erasure, and how long an outage
    # of the Content Service or the database is waited out before it is dead-lettered.
    consumer_max_attempts: int = Field(default=3, ge=1)
    consumer_transient_budget_seconds: float = Field(default=900.0, gt=0)

    bos_url: str = "http://127.0.0.1:5001"
    bos_check_enabled: bool = True
    bos_timeout_seconds: float = 5.0
    bos_breaker_fail_max: int = 5
    bos_breaker_reset_seconds: float = DEFAULT_RESET_TIMEOUT_SECONDS

    max_files_per_upload: int = 100
    max_upload_bytes: int = 200 * 1024 * 1024
    max_file_bytes: int = 10 * 1024 * 1024
    min_chars: int = 200
    max_chars: int = 60_000
    max_uncompressed_bytes: int = 50 * 1024 * 1024
    max_compression_ratio: float = 100.0
    header_lines: int = 6
    validation_concurrency: int = 2

    def development_keys(self) -> dict[str, str]:
        """The event PII keys' development default (refused in production)."""
        return {**super().development_keys(), "event_pii_keys": DEV_EVENT_PII_KEY}

    def validation_limits(self) -> ValidationLimits:
        """The limits the validator applies to each file."""
        return ValidationLimits(
            max_file_bytes=self.max_file_bytes,
            min_chars=self.min_chars,
            max_chars=self.max_chars,
            max_uncompressed_bytes=self.max_uncompressed_bytes,
            max_compression_ratio=self.max_compression_ratio,
            header_lines=self.header_lines,
        )
