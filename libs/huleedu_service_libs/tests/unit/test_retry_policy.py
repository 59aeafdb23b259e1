"""RetryPolicy: handler errors are counted, outages get a time budget, stop aborts the wait."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError

from huleedu_service_libs.kafka.retry_policy import (
    PoisonMessageError,
    RetryPolicy,
    StopRequested,
    TransientError,
    run_with_policy,
)

pytestmark = pytest.mark.unit

FAST = RetryPolicy(max_attempts=3, initial_backoff_seconds=0.001, max_backoff_seconds=0.002)


class Flaky:
    """Fails with the given errors in order, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


def no_op(_exc: Exception, _attempt: int) -> None:
    return None


async def test_success_after_handler_errors_within_the_budget() -> None:
    call = Flaky(ValueError("a"), ValueError("b"))
    outcome = await run_with_policy(call, FAST, asyncio.Event(), no_op)
    assert (outcome.error, outcome.attempts) == (None, 3)


async def test_handler_errors_give_up_after_max_attempts() -> None:
    call = Flaky(*(ValueError(str(n)) for n in range(10)))
    outcome = await run_with_policy(call, FAST, asyncio.Event(), no_op)
    assert isinstance(outcome.error, ValueError)
    assert call.calls == 3


async def test_poison_is_not_retried() -> None:
    call = Flaky(PoisonMessageError("bad json"))
    outcome = await run_with_policy(call, FAST, asyncio.Event(), no_op)
    assert isinstance(outcome.error, PoisonMessageError)
    assert call.calls == 1


async def test_transient_errors_do_not_use_up_attempts() -> None:
    # Ten outage errors (a database restart), then success: never dead-lettered.
    errors = [OperationalError("SELECT 1", {}, ConnectionError("gone")) for _ in range(5)]
    call = Flaky(*errors, TransientError("content service down"), *[TimeoutError()] * 4)
    outcome = await run_with_policy(call, FAST, asyncio.Event(), no_op)
    assert outcome.error is None
    assert call.calls == 11


async def test_transient_errors_give_up_when_the_time_budget_is_spent() -> None:
    policy = RetryPolicy(
        initial_backoff_seconds=0.001, max_backoff_seconds=0.002, transient_budget_seconds=0.05
    )
    call = Flaky(*[ConnectionError("down")] * 10_000)
    outcome = await run_with_policy(call, policy, asyncio.Event(), no_op)
    assert isinstance(outcome.error, ConnectionError)
    assert 2 < call.calls < 10_000


async def test_a_stop_request_during_the_wait_aborts_without_a_verdict() -> None:
    stopping = asyncio.Event()
    slow = RetryPolicy(initial_backoff_seconds=60, max_backoff_seconds=60)
    task = asyncio.create_task(run_with_policy(Flaky(ValueError("x")), slow, stopping, no_op))
    await asyncio.sleep(0.01)
    stopping.set()
    with pytest.raises(StopRequested):
        await asyncio.wait_for(task, timeout=5)


async def test_cancellation_is_not_retried() -> None:
    calls = 0

    async def blocks() -> None:
        nonlocal calls
        calls += 1
        await asyncio.sleep(60)

    task = asyncio.create_task(run_with_policy(blocks, FAST, asyncio.Event(), no_op))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert calls == 1


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(initial_backoff_seconds=1.0, max_backoff_seconds=4.0)
    assert 1.0 <= policy.backoff(1) <= 2.0
    assert 4.0 <= policy.backoff(10) <= 5.0


class _DriverError(Exception):
    """What SQLAlchemy's asyncpg adapter puts in DBAPIError.orig: the server's SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize("sqlstate", ["40P01", "40001"])
async def test_a_deadlock_or_serialization_failure_is_transient(sqlstate: str) -> None:
    lost = DBAPIError("UPDATE ...", {}, _DriverError(sqlstate))
    flaky = Flaky(lost, lost, lost, lost)
    outcome = await run_with_policy(flaky, FAST, asyncio.Event(), no_op)
    assert outcome.error is None  # four losses, yet max_attempts (3) was not used up
    assert flaky.calls == 5


def test_other_database_errors_are_not_transient() -> None:
    unique = DBAPIError("INSERT ...", {}, _DriverError("23505"))
    assert not FAST.is_transient(unique)
