"""Periodic jobs: a tick at once then every interval ± jitter, failures counted and survived,
staleness reported, cancellation and stopping honoured."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import pytest
from prometheus_client import REGISTRY

from huleedu_service_libs.periodic import (
    FAILURE_RETRY_SECONDS,
    MIN_STALE_SECONDS,
    PeriodicJob,
    PeriodicRunner,
    StaleJobError,
)
from huleedu_testing.fake_clock import FakeClock
from huleedu_testing.random_refs import random_id

pytestmark = pytest.mark.unit

INTERVAL = 60.0


class Ticks:
    """A tick that counts its calls and fails on the calls it is told to."""

    def __init__(self, failing: set[int] | None = None, handled: int = 2) -> None:
        self.calls = 0
        self.failing = failing or set()
        self.handled = handled

    async def __call__(self) -> int:
        self.calls += 1
        if self.calls in self.failing:
            raise ConnectionRefusedError(f"database down on call {self.calls}")
        return self.handled


class FakeWait:
    """Records each requested wait, moves the clock by it, and stops after `ticks` waits."""

    def __init__(self, clock: FakeClock, stop_after: int) -> None:
        self.clock = clock
        self.stop_after = stop_after
        self.delays: list[float] = []

    async def __call__(self, stopping: asyncio.Event, seconds: float) -> None:
        self.delays.append(seconds)
        self.clock.advance(seconds=seconds)
        if len(self.delays) >= self.stop_after:
            stopping.set()


def _runner(
    tick: Ticks,
    clock: FakeClock,
    wait: FakeWait | None = None,
    *,
    uniform: Callable[[float, float], float] = random.uniform,
    interval: float = INTERVAL,
) -> PeriodicRunner:
    return PeriodicRunner(
        PeriodicJob(f"job-{random_id()}", tick, interval),
        service="periodic-test",
        jitter_ratio=0.1,
        stale_after_intervals=3.0,
        clock=clock,
        wait=wait or FakeWait(clock, stop_after=1),
        uniform=uniform,
    )


def _sample(name: str, runner: PeriodicRunner, **labels: str) -> float:
    value = REGISTRY.get_sample_value(
        name, {"service": "periodic-test", "periodic_job": runner.job.name, **labels}
    )
    return value or 0.0


class TestInterval:
    async def test_ticks_at_once_then_every_interval_within_the_jitter_bounds(self) -> None:
        clock = FakeClock()
        tick = Ticks()
        wait = FakeWait(clock, stop_after=50)
        await _runner(tick, clock, wait).run(asyncio.Event())
        assert tick.calls == 50
        assert len(wait.delays) == 50
        assert all(0.9 * INTERVAL <= d <= 1.1 * INTERVAL for d in wait.delays)
        assert len(set(wait.delays)) > 1, "jitter spreads the waits"

    @pytest.mark.parametrize("offset", [-1.0, 1.0])
    def test_the_jitter_extremes_are_a_tenth_of_the_interval(self, offset: float) -> None:
        runner = _runner(Ticks(), FakeClock(), uniform=lambda low, high: high * offset)
        assert runner.next_delay(succeeded=True) == pytest.approx(INTERVAL * (1 + offset / 10))

    async def test_setting_stopping_ends_the_loop_after_the_tick_in_hand(self) -> None:
        stopping = asyncio.Event()

        async def tick_then_stop() -> int:
            stopping.set()
            return 0

        clock = FakeClock()
        wait = FakeWait(clock, stop_after=99)
        job = PeriodicJob("stops-itself", tick_then_stop, INTERVAL)
        await PeriodicRunner(job, service="periodic-test", clock=clock, wait=wait).run(stopping)
        assert wait.delays == []

    def test_a_job_needs_a_name_and_a_positive_interval(self) -> None:
        with pytest.raises(ValueError, match="interval"):
            PeriodicJob("never", Ticks(), 0)
        with pytest.raises(ValueError, match="name"):
            PeriodicJob("", Ticks(), INTERVAL)


class TestFailures:
    async def test_a_failing_tick_is_counted_and_the_loop_goes_on(self) -> None:
        clock = FakeClock()
        tick = Ticks(failing={2, 3})
        runner = _runner(tick, clock, FakeWait(clock, stop_after=4), uniform=lambda _a, _b: 0.0)
        await runner.run(asyncio.Event())
        assert tick.calls == 4
        assert _sample("huleedu_periodic_job_runs_total", runner, outcome="failure") == 2
        assert _sample("huleedu_periodic_job_runs_total", runner, outcome="success") == 2
        assert _sample("huleedu_periodic_job_duration_seconds_count", runner) == 4
        assert runner.consecutive_failures == 0
        assert runner.last_error is None

    def test_after_failures_it_retries_sooner_backing_off_up_to_the_interval(self) -> None:
        runner = _runner(Ticks(), FakeClock(), uniform=lambda _a, _b: 0.0, interval=5.0)
        delays = []
        for failures in range(1, 6):
            runner.consecutive_failures = failures
            delays.append(runner.next_delay(succeeded=False))
        step = FAILURE_RETRY_SECONDS
        assert delays == [step, 2 * step, 4 * step, 5.0, 5.0]

    async def test_a_success_exports_its_time_and_clears_the_error(self) -> None:
        clock = FakeClock()
        runner = _runner(Ticks(failing={1}), clock)
        assert not await runner.run_once()
        assert "database down" in (runner.last_error or "")
        clock.advance(seconds=7)
        assert await runner.run_once()
        assert runner.last_success == clock.now
        last = _sample("huleedu_periodic_job_last_success_timestamp_seconds", runner)
        assert last == clock.now.timestamp()

    def test_every_series_exists_before_the_first_tick(self) -> None:
        runner = _runner(Ticks(), FakeClock())
        for outcome in ("success", "failure"):
            value = REGISTRY.get_sample_value(
                "huleedu_periodic_job_runs_total",
                {"service": "periodic-test", "periodic_job": runner.job.name, "outcome": outcome},
            )
            assert value == 0.0


class TestHealth:
    async def test_fresh_until_no_tick_succeeded_for_three_intervals(self) -> None:
        clock = FakeClock()
        runner = _runner(Ticks(failing={2, 3}), clock)
        runner.check_fresh()  # not started: nothing to judge yet
        await runner.run(asyncio.Event())  # one successful tick, one wait, then stops
        assert runner.last_success is not None
        clock.now = runner.last_success
        limit = runner.stale_after_seconds
        assert limit == pytest.approx(3 * INTERVAL * 1.1)
        clock.advance(seconds=limit - 1)
        await runner.run_once()  # fails: the last success stays where it was
        runner.check_fresh()
        clock.advance(seconds=2)
        with pytest.raises(StaleJobError, match=r"stale: last successful tick .*database down"):
            runner.check_fresh()
        assert await runner.run_once() is False
        assert await runner.run_once() is True
        runner.check_fresh()

    async def test_a_job_that_never_succeeded_goes_stale_from_its_start(self) -> None:
        clock = FakeClock()
        runner = _runner(Ticks(failing={1}), clock)
        await runner.run(asyncio.Event())
        clock.advance(seconds=runner.stale_after_seconds + 1)
        with pytest.raises(StaleJobError, match="no successful tick"):
            runner.check_fresh()

    def test_short_intervals_are_not_stale_before_the_floor(self) -> None:
        runner = _runner(Ticks(), FakeClock(), interval=0.2)
        assert runner.stale_after_seconds == MIN_STALE_SECONDS


class TestCancellation:
    async def test_cancelling_stops_a_tick_in_hand_without_counting_a_failure(self) -> None:
        started = asyncio.Event()

        async def slow_tick() -> int:
            started.set()
            await asyncio.sleep(3600)
            return 0

        job = PeriodicJob(f"slow-{random_id()}", slow_tick, INTERVAL)
        runner = PeriodicRunner(job, service="periodic-test", clock=FakeClock())
        task = asyncio.create_task(runner.run(asyncio.Event()))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert _sample("huleedu_periodic_job_runs_total", runner, outcome="failure") == 0

    async def test_the_real_wait_returns_as_soon_as_stopping_is_set(self) -> None:
        stopping = asyncio.Event()
        ticked = asyncio.Event()

        async def tick() -> int:
            ticked.set()
            return 0

        job = PeriodicJob(f"real-{random_id()}", tick, 3600.0)
        task = asyncio.create_task(PeriodicRunner(job, service="periodic-test").run(stopping))
        await ticked.wait()
        stopping.set()
        await asyncio.wait_for(task, timeout=5)
