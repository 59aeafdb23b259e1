"""AsyncCircuitBreaker: pybreaker's states driven without a lock across awaits."""

from __future__ import annotations

import asyncio

import pytest
from prometheus_client import REGISTRY

from huleedu_service_libs.resilience import (
    AsyncCircuitBreaker,
    CircuitOpenError,
    DownstreamDependencyUnavailable,
    Exclusion,
)
from huleedu_service_libs.resilience.circuit_breaker import (
    DEFAULT_RESET_TIMEOUT_SECONDS,
    TRIAL_BUSY_RETRY_AFTER,
)
from huleedu_testing import random_name

pytestmark = pytest.mark.unit

RESET = 30.0


class DownstreamError(Exception):
    """A failure of the guarded downstream."""


class NotFoundError(Exception):
    """A business answer (404) that says the downstream is healthy."""


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Downstream:
    """Counts calls and answers or fails as told."""

    def __init__(self) -> None:
        self.calls = 0

    async def ok(self, value: str = "ok") -> str:
        self.calls += 1
        return value

    async def fail(self) -> str:
        self.calls += 1
        raise DownstreamError("boom")

    async def not_found(self) -> str:
        self.calls += 1
        raise NotFoundError("no such batch")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def downstream() -> Downstream:
    return Downstream()


def make_breaker(
    clock: FakeClock,
    *,
    fail_max: int = 3,
    success_threshold: int = 1,
    excluded_exceptions: tuple[Exclusion, ...] = (),
) -> AsyncCircuitBreaker:
    return AsyncCircuitBreaker(
        random_name("cb"),
        fail_max=fail_max,
        reset_timeout=RESET,
        excluded_exceptions=excluded_exceptions,
        success_threshold=success_threshold,
        service=SERVICE,
        clock=clock,
    )


async def trip(breaker: AsyncCircuitBreaker, downstream: Downstream, times: int = 3) -> None:
    for _ in range(times):
        with pytest.raises(DownstreamError):
            await breaker.call(downstream.fail)


SERVICE = "breaker_test_service"


def gauge(breaker: AsyncCircuitBreaker) -> float | None:
    return REGISTRY.get_sample_value(
        "huleedu_circuit_breaker_state", {"service": SERVICE, "breaker": breaker.name}
    )


def rejections(breaker: AsyncCircuitBreaker) -> float:
    value = REGISTRY.get_sample_value(
        "huleedu_circuit_breaker_rejections_total", {"service": SERVICE, "breaker": breaker.name}
    )
    return value or 0.0


def transitions(breaker: AsyncCircuitBreaker, from_state: str, to_state: str) -> float:
    labels = {"service": SERVICE, "breaker": breaker.name}
    value = REGISTRY.get_sample_value(
        "huleedu_circuit_breaker_transitions_total",
        {**labels, "from_state": from_state, "to_state": to_state},
    )
    return value or 0.0


class TestClosed:
    async def test_passes_arguments_and_result_through(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        assert await breaker.call(downstream.ok, value="answer") == "answer"
        assert breaker.state == "closed"
        assert breaker.retry_after_seconds == 0.0

    async def test_opens_after_fail_max_consecutive_failures(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream, times=2)
        assert breaker.state == "closed"
        # The tripping call still raises the downstream's own error, not pybreaker's.
        await trip(breaker, downstream, times=1)
        assert breaker.state == "open"
        assert downstream.calls == 3

    async def test_success_resets_the_failure_count(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream, times=2)
        await breaker.call(downstream.ok)
        await trip(breaker, downstream, times=2)
        assert breaker.state == "closed"

    async def test_guard_context_manager_counts_failures(self, clock: FakeClock) -> None:
        breaker = make_breaker(clock, fail_max=1)
        with pytest.raises(DownstreamError):
            async with breaker.guard():
                raise DownstreamError("in block")
        assert breaker.state == "open"

    def test_rejects_nonsense_settings(self) -> None:
        with pytest.raises(ValueError, match="fail_max"):
            AsyncCircuitBreaker("bad", fail_max=0)


class TestOpen:
    async def test_fails_fast_without_calling_the_downstream(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream)
        clock.advance(10)
        with pytest.raises(CircuitOpenError) as info:
            await breaker.call(downstream.ok)
        assert downstream.calls == 3
        assert info.value.name == breaker.name
        assert info.value.retry_after == pytest.approx(RESET - 10)
        assert breaker.retry_after_seconds == pytest.approx(RESET - 10)

    async def test_counts_rejections(self, clock: FakeClock, downstream: Downstream) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream)
        for _ in range(4):
            with pytest.raises(CircuitOpenError):
                await breaker.call(downstream.ok)
        assert rejections(breaker) == 4

    async def test_guard_refuses_to_enter_the_block(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream)
        entered = False
        with pytest.raises(CircuitOpenError):
            async with breaker.guard():
                entered = True
        assert not entered


class TestHalfOpen:
    async def test_trial_after_reset_timeout_closes_on_success(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream)
        clock.advance(RESET)
        assert breaker.retry_after_seconds == 0.0
        seen: list[str] = []

        async def trial() -> str:
            seen.append(breaker.state)
            return "recovered"

        assert await breaker.call(trial) == "recovered"
        assert seen == ["half-open"]
        assert breaker.state == "closed"

    async def test_failed_trial_reopens_for_a_full_reset_timeout(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream)
        clock.advance(RESET + 5)
        with pytest.raises(DownstreamError):
            await breaker.call(downstream.fail)
        assert breaker.state == "open"
        assert breaker.retry_after_seconds == pytest.approx(RESET)

    async def test_only_one_trial_in_flight(self, clock: FakeClock, downstream: Downstream) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream)
        clock.advance(RESET)
        release = asyncio.Event()

        async def slow_trial() -> str:
            await release.wait()
            return "recovered"

        trial = asyncio.create_task(breaker.call(slow_trial))
        await asyncio.sleep(0)
        assert breaker.state == "half-open"
        with pytest.raises(CircuitOpenError) as info:
            await breaker.call(downstream.ok)
        assert downstream.calls == 3
        assert info.value.retry_after == TRIAL_BUSY_RETRY_AFTER
        release.set()
        assert await trial == "recovered"
        assert breaker.state == "closed"
        assert await breaker.call(downstream.ok) == "ok"

    async def test_cancelled_trial_frees_the_slot_without_counting(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream)
        clock.advance(RESET)
        trial = asyncio.create_task(breaker.call(asyncio.sleep, 60))
        await asyncio.sleep(0)
        trial.cancel()
        with pytest.raises(asyncio.CancelledError):
            await trial
        assert breaker.state == "half-open"
        assert await breaker.call(downstream.ok) == "ok"
        assert breaker.state == "closed"

    async def test_success_threshold_needs_that_many_trials(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock, success_threshold=2)
        await trip(breaker, downstream)
        clock.advance(RESET)
        await breaker.call(downstream.ok)
        assert breaker.state == "half-open"
        await breaker.call(downstream.ok)
        assert breaker.state == "closed"

    async def test_late_result_of_a_call_admitted_before_opening_is_ignored(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock, fail_max=1)
        release_stale = asyncio.Event()
        release_trial = asyncio.Event()

        async def stale_call() -> str:
            await release_stale.wait()
            raise DownstreamError("timed out long ago")

        async def trial() -> str:
            await release_trial.wait()
            return "recovered"

        stale = asyncio.create_task(breaker.call(stale_call))
        await asyncio.sleep(0)
        await trip(breaker, downstream, times=1)
        clock.advance(RESET)
        trial_task = asyncio.create_task(breaker.call(trial))
        await asyncio.sleep(0)
        release_stale.set()
        with pytest.raises(DownstreamError):
            await stale
        # The stale failure must neither re-open the circuit nor steal the trial's verdict.
        assert breaker.state == "half-open"
        release_trial.set()
        await trial_task
        assert breaker.state == "closed"

    async def test_real_clock_half_opens_after_a_short_timeout(
        self, downstream: Downstream
    ) -> None:
        breaker = AsyncCircuitBreaker(random_name("cb"), fail_max=1, reset_timeout=0.05)
        with pytest.raises(DownstreamError):
            await breaker.call(downstream.fail)
        with pytest.raises(CircuitOpenError):
            await breaker.call(downstream.ok)
        await asyncio.sleep(0.06)
        assert await breaker.call(downstream.ok) == "ok"
        assert breaker.state == "closed"


class TestExcludedExceptions:
    async def test_excluded_type_does_not_count_and_is_reraised(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock, fail_max=2, excluded_exceptions=(NotFoundError,))
        for _ in range(5):
            with pytest.raises(NotFoundError):
                await breaker.call(downstream.not_found)
        assert breaker.state == "closed"

    async def test_excluded_predicate_does_not_count(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(
            clock, fail_max=2, excluded_exceptions=(lambda exc: "no such" in str(exc),)
        )
        for _ in range(3):
            with pytest.raises(NotFoundError):
                await breaker.call(downstream.not_found)
        assert breaker.state == "closed"
        await trip(breaker, downstream, times=2)
        assert breaker.state == "open"


class TestDownstreamDependencyOutage:
    """A downstream answering at once that its own dependency is down is up, not failing."""

    @staticmethod
    async def _dependency_down() -> str:
        raise DownstreamDependencyUnavailable("batch_orchestrator_service", "postgres", 5.0)

    async def test_never_counts_as_a_failure(self, clock: FakeClock) -> None:
        breaker = make_breaker(clock, fail_max=1)
        for _ in range(3):
            with pytest.raises(DownstreamDependencyUnavailable):
                await breaker.call(self._dependency_down)
        assert breaker.state == "closed"

    async def test_a_trial_answered_so_closes_the_circuit(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream)
        clock.advance(RESET)
        with pytest.raises(DownstreamDependencyUnavailable):
            await breaker.call(self._dependency_down)
        assert breaker.state == "closed"
        assert await breaker.call(downstream.ok) == "ok"


class TestRecovery:
    async def test_first_call_once_the_reset_timeout_passed_goes_through(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        await trip(breaker, downstream)
        # The downstream is back a moment after the circuit opened...
        clock.advance(1.0)
        with pytest.raises(CircuitOpenError) as refused:
            await breaker.call(downstream.ok)
        assert refused.value.retry_after == pytest.approx(RESET - 1.0)
        # ...and the first call after the remaining time is its trial, which closes the circuit.
        clock.advance(RESET - 1.0)
        assert await breaker.call(downstream.ok) == "ok"
        assert breaker.state == "closed"
        assert downstream.calls == 4

    async def test_default_reset_timeout_bounds_the_wait_after_recovery(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = AsyncCircuitBreaker(random_name("cb"), fail_max=1, clock=clock)
        with pytest.raises(DownstreamError):
            await breaker.call(downstream.fail)
        assert breaker.retry_after_seconds == DEFAULT_RESET_TIMEOUT_SECONDS
        clock.advance(DEFAULT_RESET_TIMEOUT_SECONDS)
        assert await breaker.call(downstream.ok) == "ok"


class TestMetrics:
    async def test_gauge_follows_the_states(self, clock: FakeClock, downstream: Downstream) -> None:
        breaker = make_breaker(clock, success_threshold=2)
        assert gauge(breaker) == 0
        await trip(breaker, downstream)
        assert gauge(breaker) == 2
        clock.advance(RESET)
        await breaker.call(downstream.ok)
        assert gauge(breaker) == 1
        await breaker.call(downstream.ok)
        assert gauge(breaker) == 0

    async def test_transitions_are_counted_by_from_and_to_state(
        self, clock: FakeClock, downstream: Downstream
    ) -> None:
        breaker = make_breaker(clock)
        assert transitions(breaker, "closed", "open") == 0
        await trip(breaker, downstream)
        clock.advance(RESET)
        with pytest.raises(DownstreamError):
            await breaker.call(downstream.fail)  # the half-open trial fails: open again
        clock.advance(RESET)
        await breaker.call(downstream.ok)  # this trial succeeds: closed
        assert transitions(breaker, "closed", "open") == 1
        assert transitions(breaker, "open", "half-open") == 2
        assert transitions(breaker, "half-open", "open") == 1
        assert transitions(breaker, "half-open", "closed") == 1


class TestNoLockAcrossAwait:
    async def test_concurrent_calls_overlap_in_closed_state(self, clock: FakeClock) -> None:
        breaker = make_breaker(clock)
        barrier = asyncio.Barrier(3)

        async def slow() -> str:
            # Returns only once all three calls are inside at the same time.
            await barrier.wait()
            return "done"

        async with asyncio.timeout(2):
            results = await asyncio.gather(*(breaker.call(slow) for _ in range(3)))
        assert results == ["done"] * 3
        assert breaker.state == "closed"

    async def test_breaker_lock_is_free_while_the_call_awaits(self, clock: FakeClock) -> None:
        breaker = make_breaker(clock)
        lock = breaker._breaker._lock

        def free_in_another_thread() -> bool:
            # pybreaker's lock is a threading.RLock: re-entrant for our own thread, so only
            # another thread can tell whether it is held.
            if lock.acquire(blocking=False):
                lock.release()
                return True
            return False

        async def probe() -> bool:
            return await asyncio.to_thread(free_in_another_thread)

        assert await breaker.call(probe) is True
