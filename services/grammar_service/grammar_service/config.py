"""Grammar Service settings (env prefix GRAMMAR_SERVICE_)."""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from huleedu_service_libs.config import InfraSettings, ServiceSettings


class GrammarSettings(ServiceSettings):
    """Port, Content Service, LanguageTool, its circuit breaker and the retry budget."""

    model_config = SettingsConfigDict(env_prefix="GRAMMAR_SERVICE_", extra="ignore")

    service_name: str = "grammar_service"
    http_port: int = 8003
    database_name: str = "huleedu_grammar"

    content_service_url: str = "http://127.0.0.1:8001"
    content_timeout_seconds: float = 10.0
    content_max_attempts: int = 3

    # Empty: the infrastructure's server (HULEEDU_LANGUAGETOOL_URL, or host and port).
    languagetool_url: str = ""
    # A long essay on a busy server takes seconds; the first English check of a fresh
    # server 7-15 s (the worker warms it up at start, but a restarted server is cold again).
    languagetool_timeout_seconds: float = Field(default=60.0, gt=0)
    languagetool_breaker_fail_max: int = Field(default=3, ge=1)
    languagetool_breaker_reset_seconds: float = Field(default=10.0, ge=0)
    # LanguageTool's own server refuses texts over its maxTextLength (unlimited by default in
    # the local server); essays longer than this are refused here with a clear FAILED outcome.
    max_text_chars: int = Field(default=200_000, gt=0)
    # Longer texts go to LanguageTool in pieces of at most this many characters (cut after a
    # paragraph or sentence), so one request never needs more than the timeout.
    languagetool_chunk_chars: int = Field(default=20_000, ge=1_000)
    consumer_max_attempts: int = 3
    # While LanguageTool or the Content Service is down a request is retried this long
    # (offset not committed), then dead-lettered for replay (`huleedu-admin dlq replay`).
    transient_budget_seconds: float = 600.0

    @model_validator(mode="after")
    def _default_languagetool_url(self) -> GrammarSettings:
        if not self.languagetool_url:
            self.languagetool_url = InfraSettings().languagetool_url
        return self
