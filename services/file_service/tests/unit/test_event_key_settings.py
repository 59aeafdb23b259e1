"""The event PII key: the public development key is refused in production, and never logged."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from file_service.config import FileServiceSettings
from huleedu_service_libs.config import Environment
from huleedu_service_libs.crypto import DEV_EVENT_PII_KEY, generate_key

pytestmark = pytest.mark.unit

REAL = {"internal_api_key": "a-real-internal-key-of-length", "database_url": "postgresql://x"}


def test_the_development_event_key_is_refused_in_production() -> None:
    assert FileServiceSettings().event_pii_keys == DEV_EVENT_PII_KEY
    with pytest.raises(ValidationError, match="event_pii_keys holds a development key"):
        FileServiceSettings(
            environment=Environment.PRODUCTION, event_pii_keys=DEV_EVENT_PII_KEY, **REAL
        )
    settings = FileServiceSettings(
        environment=Environment.PRODUCTION, event_pii_keys=generate_key(), **REAL
    )
    assert settings.public_dict()["event_pii_keys"] == "***"
