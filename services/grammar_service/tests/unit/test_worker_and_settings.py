"""The worker's entrypoint maps outages to TransientError (retried, offset not committed);
the settings find the infrastructure's LanguageTool."""

from __future__ import annotations

import pytest

from grammar_service.config import GrammarSettings
from grammar_service.domain.ports import (
    ContentUnavailable,
    GrammarCheckerUnavailable,
    GrammarCheckRefused,
)
from grammar_service.worker import _as_transient
from huleedu_service_libs.config import Environment
from huleedu_service_libs.kafka.retry_policy import RetryPolicy, TransientError


@pytest.mark.parametrize(
    "outage", [ContentUnavailable("refused"), GrammarCheckerUnavailable("circuit open")]
)
async def test_outages_become_transient(outage: Exception) -> None:
    async def fail() -> None:
        raise outage

    with pytest.raises(TransientError) as caught:
        await _as_transient(fail)
    assert RetryPolicy().is_transient(caught.value)


async def test_other_errors_stay_what_they_are() -> None:
    async def bug() -> None:
        raise KeyError("offset")

    with pytest.raises(KeyError):
        await _as_transient(bug)
    assert not RetryPolicy().is_transient(GrammarCheckRefused("413"))


def test_languagetool_url_defaults_to_the_infrastructure_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HULEEDU_LANGUAGETOOL_URL", raising=False)
    monkeypatch.delenv("GRAMMAR_SERVICE_LANGUAGETOOL_URL", raising=False)
    monkeypatch.setenv("HULEEDU_LANGUAGETOOL_PORT", "28999")
    settings = GrammarSettings(environment=Environment.TEST)
    assert settings.languagetool_url == "http://127.0.0.1:28999"
    assert settings.database_url.endswith("/huleedu_grammar")
    monkeypatch.setenv("GRAMMAR_SERVICE_LANGUAGETOOL_URL", "http://lt.internal:8010")
    assert GrammarSettings().languagetool_url == "http://lt.internal:8010"
