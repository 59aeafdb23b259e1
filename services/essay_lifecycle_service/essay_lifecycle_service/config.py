"""Essay Lifecycle Service settings (env prefix ESSAY_LIFECYCLE_SERVICE_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from huleedu_service_libs.config import ServiceSettings


class EssayLifecycleSettings(ServiceSettings):
    """Ports, database, readiness and phase timeouts and the timeout monitor's interval."""

    model_config = SettingsConfigDict(env_prefix="ESSAY_LIFECYCLE_SERVICE_", extra="ignore")

    service_name: str = "essay_lifecycle_service"
    http_port: int = 6001
    worker_http_port: int = 6002
    database_name: str = "huleedu_essay_lifecycle"

    readiness_timeout_seconds: float = Field(default=900.0, gt=0)
    timeout_check_interval_seconds: float = Field(default=10.0, gt=0)
    timeout_check_batch_limit: int = Field(default=100, ge=1)
    # A phase still waiting for results this long after it started is ended by the monitor:
    # the essays without a result fail ("spellcheck timed out after N s") and the batch's
    # phase outcome goes out, so a result lost on the way (e.g. dead-lettered) never hangs it.
    phase_timeout_seconds: float = Field(default=1800.0, gt=0)
    # Records per poll of the slots consumer, and so the longest run of one batch's provisioned
    # events placed in one transaction (a poll spans partitions; each handles its own share).
    slots_max_poll_records: int = Field(default=500, ge=1)
