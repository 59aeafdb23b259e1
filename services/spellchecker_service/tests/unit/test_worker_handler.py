"""The worker's entrypoint maps a Content Service outage to TransientError (retried, not lost)."""

from __future__ import annotations

import pytest

from huleedu_service_libs.kafka.retry_policy import RetryPolicy, TransientError
from spellchecker_service.domain.ports import ContentUnavailable
from spellchecker_service.worker import _as_transient


async def test_content_unavailable_becomes_transient() -> None:
    async def outage() -> None:
        raise ContentUnavailable("connection refused")

    with pytest.raises(TransientError) as caught:
        await _as_transient(outage)
    assert RetryPolicy().is_transient(caught.value)
