"""Content Service settings (env prefix CONTENT_SERVICE_)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from huleedu_service_libs.config import ServiceSettings

# Public development key: fine on a laptop, refused in production (see the validator).
DEV_CONTENT_ENCRYPTION_KEY = "BLMQ1hV4lOxZGOXlsE_j_Ic4NtpiyPa5v-dt6T2sOLs="


class ContentServiceSettings(ServiceSettings):
    """Where it listens, its database, how large one blob may be, and the blob keys."""

    model_config = SettingsConfigDict(env_prefix="CONTENT_SERVICE_", extra="ignore")

    service_name: str = "content_service"
    http_port: int = 8001
    database_name: str = "huleedu_content"
    # Uvicorn, not hypercorn: every essay is stored, fetched and stored corrected here, and
    # hypercorn costs more CPU per request (batch-flow benchmark: 14.7 -> 12.6 ms per essay).
    http_server: str = Field(default="uvicorn", description="uvicorn or hypercorn")
    max_content_bytes: int = 25 * 1024 * 1024
    # Fernet keys, comma-separated, newest first: blobs are encrypted at rest with the first,
    # any of them decrypts, and `python -m content_service.rotate_keys` re-encrypts every blob
    # (and encrypts those stored before encryption) with the first so an old key can go.
    encryption_keys: str = DEV_CONTENT_ENCRYPTION_KEY
    # Erasure requests name at most this many blobs (the File Service sends one batch's).
    max_erasure_ids: int = Field(default=1000, ge=1)

    def development_keys(self) -> dict[str, str]:
        """The blob encryption keys' development default (refused in production)."""
        return {**super().development_keys(), "encryption_keys": DEV_CONTENT_ENCRYPTION_KEY}
