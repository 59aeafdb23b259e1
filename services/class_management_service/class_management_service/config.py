"""Class Management Service settings (env prefix CLASS_MANAGEMENT_SERVICE_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.crypto import DEV_EVENT_PII_KEY

# Public development keys: fine on a laptop, refused in production (see the validator).
DEV_PII_ENCRYPTION_KEY = "SNPAXzBZrvGo-ZzltBJ8qsHaJ3PTOTUMOZ_IwBENErE="
DEV_PII_HASH_KEY = "dev-pii-hash-key-not-for-production"


class ClassManagementSettings(ServiceSettings):
    """Ports, database, PII keys, roster import limits and the association timeout monitor."""

    model_config = SettingsConfigDict(env_prefix="CLASS_MANAGEMENT_SERVICE_", extra="ignore")

    service_name: str = "class_management_service"
    http_port: int = 5002
    worker_http_port: int = 5004
    database_name: str = "huleedu_class_management"
    # Uvicorn, not hypercorn: this process is CPU-bound (every teacher's page polls the
    # roster) and hypercorn costs more per request. Measured on the two-core VM with
    # benchmarks/class_management_roster_cpu.py --via (server in-process, least of 5 rounds):
    # GET /courses 1.6-2.4 ms of CPU on hypercorn vs 1.2-1.4 on uvicorn; the roster read as
    # it was 3.8-5.2 vs 3.4-3.9 ms (PERF_BASELINES.md: Quart on uvicorn serves 2.5x the
    # requests of Quart on hypercorn). HTTP_SERVER=hypercorn still works.
    http_server: str = Field(default="uvicorn", description="uvicorn or hypercorn")
    # No pre-ping: on asyncpg it costs three round trips (BEGIN, an empty query, ROLLBACK;
    # ~0.3 ms of CPU) on every checkout, where the roster read needs one. The price: after a
    # PostgreSQL restart one request per process fails (a 500; the roster read is a single
    # atomic statement, so nothing half-done) and the pool then replaces all its older
    # connections; recycling bounds how long a connection can outlive a network idle timeout.
    database_pool_pre_ping: bool = False
    database_pool_recycle_seconds: int = Field(default=1800, ge=-1)

    # Fernet keys, comma-separated, newest first: new data is encrypted with the first, any
    # of them decrypts, and `python -m class_management_service.rotate_keys` re-encrypts
    # every stored value with the first so an old key can then be dropped.
    pii_encryption_keys: str = DEV_PII_ENCRYPTION_KEY
    # HMAC-SHA256 key for the email lookup hash. Changing it needs a re-hash (rotate_keys
    # --rehash, the old key in CLASS_MANAGEMENT_SERVICE_OLD_PII_HASH_KEY), because the hash
    # is what makes emails unique per teacher.
    pii_hash_key: str = DEV_PII_HASH_KEY
    # Fernet keys, newest first, of personal data inside events, shared with the File Service
    # only: the parsed essay headers it sends, the redaction terms of an erasure this service
    # sends (documentation/events.md: how to rotate it across both services).
    event_pii_keys: str = DEV_EVENT_PII_KEY

    # Decrypted names and emails of recently read students (adapters/pii_cache.py): saves two
    # Fernet decryptions per student on the roster read. 0 turns the cache off.
    roster_pii_cache_students: int = Field(default=10_000, ge=0)
    roster_pii_cache_seconds: float = Field(default=300.0, gt=0)

    roster_import_max_rows: int = Field(default=1000, ge=1)
    roster_import_max_bytes: int = Field(default=1_000_000, ge=1)
    list_max_limit: int = Field(default=200, ge=1)

    # Matching of essay authors and the association timeout monitor.
    association_timeout_hours: float = Field(default=24.0, gt=0)
    association_monitor_interval_seconds: float = Field(default=3600.0, gt=0)
    association_keep_threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    consumer_max_attempts: int = Field(default=3, ge=1)
    consumer_transient_budget_seconds: float = Field(default=900.0, gt=0)

    def development_keys(self) -> dict[str, str]:
        """The PII keys' development defaults (refused in production, masked in logs)."""
        return {
            **super().development_keys(),
            "pii_encryption_keys": DEV_PII_ENCRYPTION_KEY,
            "pii_hash_key": DEV_PII_HASH_KEY,
            "event_pii_keys": DEV_EVENT_PII_KEY,
        }
