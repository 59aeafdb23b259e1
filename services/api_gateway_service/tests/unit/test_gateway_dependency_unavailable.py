"""A downstream's 503 that names its own unavailable dependency is its answer, not its failure."""

from __future__ import annotations

import pytest

from api_gateway_service.adapters.errors import DownstreamAnswer
from common_core.errors import ErrorCode
from huleedu_service_libs.errors import HuleEduError, build_error_body

from .test_gateway_downstream import CALLER, FakeSession, _client, _json


def _dependency_503() -> dict[str, object]:
    return build_error_body(
        ErrorCode.SERVICE_UNAVAILABLE,
        "class_management_service is unavailable; nothing was stored. Try again shortly.",
        correlation_id=CALLER.correlation_id,
        service="batch_orchestrator_service",
        details={"dependency": "class_management_service"},
    )


async def test_dependency_503_passes_through_and_never_opens_the_breaker() -> None:
    session = FakeSession(_json(503, _dependency_503(), {"Retry-After": "9"}))
    client = _client(session, fail_max=1)

    for _ in range(3):
        with pytest.raises(DownstreamAnswer) as caught:
            await client.send("POST", "/internal/v1/batches", CALLER, json_body={})
        assert caught.value.status == 503
        assert caught.value.body == _dependency_503()
        assert caught.value.headers == {"Retry-After": "9"}

    # Each request reached the downstream: one dependency's outage left its circuit closed.
    assert len(session.calls) == 3
    assert client.breaker.state == "closed"


async def test_own_503_still_counts_against_the_breaker() -> None:
    body = build_error_body(
        ErrorCode.SERVICE_UNAVAILABLE, "down", correlation_id="c", service="file_service"
    )
    session = FakeSession(_json(503, body))
    client = _client(session, fail_max=1)

    with pytest.raises(HuleEduError):
        await client.get("/x", CALLER)
    with pytest.raises(HuleEduError) as caught:
        await client.get("/x", CALLER)

    assert caught.value.details["reason"] == "circuit_open"
    assert len(session.calls) == 1
