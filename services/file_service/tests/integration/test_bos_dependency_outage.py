"""BOS answering 503 for its own database is BOS answering: the File Service's breaker stays
closed, so the first upload after the database recovers goes through at once."""

from __future__ import annotations

from typing import Any

import pytest

from huleedu_testing.sample_files import docx_bytes, essay_text

pytestmark = pytest.mark.integration

FAIL_MAX = 3
# Long enough that an opened circuit could never half-open during the test.
RESET_SECONDS = 600.0


def essay_file(seed: int) -> list[tuple[str, bytes]]:
    return [(f"essay-{seed}.docx", docx_bytes(essay_text("en", 250, seed=seed)))]


async def test_bos_dependency_outage_never_opens_the_circuit(make_stack: Any) -> None:
    stack = await make_stack(bos_breaker_fail_max=FAIL_MAX, bos_breaker_reset_seconds=RESET_SECONDS)
    stack.bos.dependency_down("postgres")

    answers = [await stack.client.upload(essay_file(n)) for n in range(FAIL_MAX + 2)]

    # Every check reached BOS: its answers never counted as failures of BOS.
    assert stack.bos.request_count == FAIL_MAX + 2
    for answer in answers:
        assert answer.status == 503, answer.body
        assert answer.error["code"] == "SERVICE_UNAVAILABLE"
        assert answer.error["details"]["dependency"] == "batch_orchestrator_service"
        assert answer.headers["Retry-After"] == "5"

    stack.bos.healthy()
    answer = await stack.client.upload(essay_file(100))
    assert answer.status == 201, answer.body
    metrics = await stack.client.get("/metrics")
    closed = (
        'huleedu_circuit_breaker_state{breaker="file_service_to_bos",service="file_service"} 0.0'
    )
    assert closed in metrics.body
