"""Spell Checker settings (env prefix SPELLCHECKER_SERVICE_)."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from huleedu_service_libs.config import ServiceSettings


class SpellcheckerSettings(ServiceSettings):
    """Port, Content Service, dictionaries and retry budget of the worker."""

    model_config = SettingsConfigDict(env_prefix="SPELLCHECKER_SERVICE_", extra="ignore")

    service_name: str = "spellchecker_service"
    http_port: int = 8002
    database_name: str = "huleedu_spellchecker"

    content_service_url: str = "http://127.0.0.1:8001"
    content_timeout_seconds: float = 10.0
    content_max_attempts: int = 3

    swedish_dictionary_path: str = "/usr/share/hunspell/sv_SE"
    # A word is English when either accepts it: Swedish students learn British spelling.
    english_dictionary_paths: list[str] = Field(
        default_factory=lambda: ["/usr/share/hunspell/en_US", "/usr/share/hunspell/en_GB"]
    )
    # Under the project's .local (HULEEDU_LOCAL_DIR, exported by the scripts), not the cwd.
    dictionary_cache_dir: str = Field(
        default_factory=lambda: os.path.join(
            os.environ.get("HULEEDU_LOCAL_DIR", ".local"), "spellchecker"
        )
    )
    max_text_chars: int = 200_000
    # More than 1: that many consumers of the request topic in the worker (one consumer group)
    # and that many processes doing the CPU-bound check. Useful up to the topic's partition
    # count and the machine's free cores; each process holds its own dictionaries (~310 MB).
    worker_processes: int = Field(default=1, ge=1)
    consumer_max_attempts: int = 3
    transient_budget_seconds: float = 300.0
