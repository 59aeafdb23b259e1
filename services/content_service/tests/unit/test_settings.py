"""The blob key: a public development key works on a laptop and is refused in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from content_service.config import DEV_CONTENT_ENCRYPTION_KEY, ContentServiceSettings
from huleedu_service_libs.config import Environment
from huleedu_service_libs.crypto import generate_key

pytestmark = pytest.mark.unit

REAL = {"internal_api_key": "a-real-internal-key-of-length", "database_url": "postgresql://x"}


def test_the_development_key_is_refused_in_production_even_as_an_old_key() -> None:
    assert ContentServiceSettings().encryption_keys == DEV_CONTENT_ENCRYPTION_KEY
    with pytest.raises(ValidationError, match="encryption_keys holds a development key"):
        ContentServiceSettings(
            environment=Environment.PRODUCTION,
            encryption_keys=f"{generate_key()},{DEV_CONTENT_ENCRYPTION_KEY}",
            **REAL,
        )
    settings = ContentServiceSettings(
        environment=Environment.PRODUCTION, encryption_keys=generate_key(), **REAL
    )
    assert settings.public_dict()["encryption_keys"] == "***"
