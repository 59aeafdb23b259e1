"""PII keys in production: every development key is refused, the event key included."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from class_management_service.config import ClassManagementSettings
from huleedu_service_libs.config import Environment
from huleedu_service_libs.crypto import DEV_EVENT_PII_KEY, generate_key

REAL = {
    "internal_api_key": "a-real-internal-key-of-length",
    "database_url": "postgresql://x",
    "pii_encryption_keys": generate_key(),
    "pii_hash_key": "a-real-hash-key-of-some-length",
}


def test_the_development_event_key_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="event_pii_keys holds a development key"):
        ClassManagementSettings(
            environment=Environment.PRODUCTION,
            event_pii_keys=f"{generate_key()},{DEV_EVENT_PII_KEY}",
            **REAL,
        )
    settings = ClassManagementSettings(
        environment=Environment.PRODUCTION, event_pii_keys=generate_key(), **REAL
    )
    assert settings.public_dict()["event_pii_keys"] == "***"
