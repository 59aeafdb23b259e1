"""Content Service settings (env prefix CONTENT_SERVICE_)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from huleedu_service_libs.config import ServiceSettings


class ContentServiceSettings(ServiceSettings):
    """Where it listens, its database, and how large one blob may be."""

    model_config = SettingsConfigDict(env_prefix="CONTENT_SERVICE_", extra="ignore")

    service_name: str = "content_service"
    http_port: int = 8001
    database_name: str = "huleedu_content"
    max_content_bytes: int = 25 * 1024 * 1024
