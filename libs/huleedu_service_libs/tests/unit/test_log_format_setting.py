"""HULEEDU_LOG_FORMAT: one switch for every service's log rendering, under its own setting."""

from __future__ import annotations

import pytest
from pydantic_settings import SettingsConfigDict

from huleedu_service_libs.config import ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_SERVICE_", extra="ignore")


@pytest.fixture(autouse=True)
def _no_log_format(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HULEEDU_LOG_FORMAT", "DEMO_SERVICE_LOG_FORMAT", "DEMO_SERVICE_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)


def test_development_renders_for_the_console_by_default() -> None:
    assert not DemoSettings().json_logs


def test_the_platform_wide_format_applies_to_every_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HULEEDU_LOG_FORMAT", "json")
    settings = DemoSettings()
    assert settings.log_format == "json"
    assert settings.json_logs


def test_a_service_s_own_format_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HULEEDU_LOG_FORMAT", "json")
    monkeypatch.setenv("DEMO_SERVICE_LOG_FORMAT", "console")
    assert not DemoSettings().json_logs
