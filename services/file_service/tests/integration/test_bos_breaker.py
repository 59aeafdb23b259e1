"""The BOS check through the circuit breaker: failing, open, recovering, slow, switched off."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from huleedu_testing import random_id
from huleedu_testing.sample_files import docx_bytes, essay_text
from huleedu_testing.servers import free_port

pytestmark = pytest.mark.integration

FAIL_MAX = 3
RESET_SECONDS = 0.5
BOS_TIMEOUT = 0.3
# An open circuit answers without a network call; generous for a loaded CI machine.
FAST_SECONDS = 0.25


def essay_file(seed: int) -> list[tuple[str, bytes]]:
    return [(f"uppsats-{seed}.docx", docx_bytes(essay_text("sv", 250, seed=seed)))]


@pytest.fixture
async def guarded(make_stack: Any) -> Any:
    return await make_stack(
        bos_breaker_fail_max=FAIL_MAX,
        bos_breaker_reset_seconds=RESET_SECONDS,
        bos_timeout_seconds=BOS_TIMEOUT,
    )


async def assert_unavailable(answer: Any) -> None:
    assert answer.status == 503, answer.body
    assert answer.error["code"] == "SERVICE_UNAVAILABLE"
    assert answer.error["details"]["dependency"] == "batch_orchestrator_service"
    assert int(answer.headers["Retry-After"]) >= 1


async def assert_nothing_stored(stack: Any) -> None:
    assert await stack.file_rows() == []
    assert await stack.blob_count() == 0
    assert await stack.outbox() == []


async def trip(stack: Any) -> None:
    """FAIL_MAX failing calls that each reach BOS, which opens the circuit."""
    for n in range(FAIL_MAX):
        await assert_unavailable(await stack.client.upload(essay_file(n)))


async def upload_until_accepted(stack: Any, *, timeout_seconds: float = 10.0) -> tuple[Any, float]:
    """Upload until the breaker lets a call through again; (201 answer, seconds it took)."""
    started = time.monotonic()
    while True:
        answer = await stack.client.upload(essay_file(100))
        if answer.status == 201:
            return answer, time.monotonic() - started
        await assert_unavailable(answer)
        assert time.monotonic() - started < timeout_seconds, "breaker never let a call through"
        await asyncio.sleep(0.05)


async def test_failing_bos_opens_the_circuit_and_recovery_closes_it(guarded: Any) -> None:
    bos = guarded.bos
    bos.fail_with(500)

    await trip(guarded)
    assert bos.request_count == FAIL_MAX

    # Open: answered at once, BOS not asked, nothing stored.
    opened_at = time.monotonic()
    for n in range(3):
        answer = await guarded.client.upload(essay_file(10 + n))
        await assert_unavailable(answer)
        assert answer.seconds < FAST_SECONDS, answer.seconds
    assert bos.request_count == FAIL_MAX
    await assert_nothing_stored(guarded)

    # Back after the reset timeout: one trial call goes through and succeeds.
    bos.healthy()
    accepted, _ = await upload_until_accepted(guarded)
    assert time.monotonic() - opened_at >= RESET_SECONDS * 0.9
    assert accepted.body["accepted_count"] == 1
    assert bos.request_count == FAIL_MAX + 1

    # Closed again: every call reaches BOS and succeeds.
    for n in range(2):
        answer = await guarded.client.upload(essay_file(200 + n))
        assert answer.status == 201, answer.body
    assert bos.request_count == FAIL_MAX + 3
    metrics = await guarded.client.get("/metrics")
    closed = (
        'huleedu_circuit_breaker_state{breaker="file_service_to_bos",service="file_service"} 0.0'
    )
    assert closed in metrics.body


async def test_bos_down_then_back(guarded: Any) -> None:
    bos = guarded.bos
    await bos.stop()

    await trip(guarded)
    answer = await guarded.client.upload(essay_file(20))
    await assert_unavailable(answer)
    assert answer.seconds < FAST_SECONDS
    await assert_nothing_stored(guarded)

    await bos.start()  # same port: the service came back
    accepted, _ = await upload_until_accepted(guarded)
    assert accepted.body["files"][0]["status"] == "accepted"
    assert len(bos.requests_for(guarded.batch_id)) == 1  # only the trial reached it
    assert len(await guarded.file_rows()) == 1


async def test_a_failed_trial_opens_the_circuit_again(guarded: Any) -> None:
    bos = guarded.bos
    bos.fail_with(500)
    await trip(guarded)

    # Wait out the reset timeout by polling until the trial call reaches BOS (and fails).
    deadline = time.monotonic() + 10
    while bos.request_count == FAIL_MAX:
        await assert_unavailable(await guarded.client.upload(essay_file(30)))
        assert time.monotonic() < deadline, "no trial call after the reset timeout"
        await asyncio.sleep(0.05)
    assert bos.request_count == FAIL_MAX + 1

    answer = await guarded.client.upload(essay_file(31))
    await assert_unavailable(answer)
    assert answer.seconds < FAST_SECONDS
    assert bos.request_count == FAIL_MAX + 1
    await assert_nothing_stored(guarded)


async def test_slow_bos_answers_503_within_the_timeout(guarded: Any) -> None:
    guarded.bos.slow_down(5.0)

    answer = await guarded.client.upload(essay_file(40))

    await assert_unavailable(answer)
    assert BOS_TIMEOUT <= answer.seconds < BOS_TIMEOUT + 1.0, answer.seconds
    assert guarded.bos.request_count == 1
    await assert_nothing_stored(guarded)


async def test_missing_batch_does_not_trip_the_breaker(guarded: Any) -> None:
    for _ in range(FAIL_MAX + 2):
        answer = await guarded.client.upload(essay_file(50), batch_id=random_id())
        assert answer.status == 404
    answer = await guarded.client.upload(essay_file(51))
    assert answer.status == 201, answer.body


async def test_check_switched_off_needs_no_bos(make_stack: Any) -> None:
    stack = await make_stack(bos_check_enabled=False, bos_url=f"http://127.0.0.1:{free_port()}")

    answer = await stack.client.upload(essay_file(60))

    assert answer.status == 201, answer.body
    assert stack.bos.request_count == 0
    assert len(await stack.file_rows()) == 1
    types = await stack.outbox_types()
    assert "EssayContentProvisionedV1" in types
    assert "StudentParsingCompletedV1" in types
