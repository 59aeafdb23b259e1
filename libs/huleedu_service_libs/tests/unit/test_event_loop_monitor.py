"""EventLoopMonitor: a blocked event loop fails liveness, a free one passes (injected clock)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from huleedu_service_libs.observability import EventLoopMonitor
from huleedu_testing.kafka_helpers import wait_until

pytestmark = pytest.mark.unit

TICK = 0.01
MAX_LAG = 5.0
WINDOW = 50  # ticks: half a second, many polls of wait_until


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def monitor(clock: FakeClock) -> AsyncIterator[EventLoopMonitor]:
    ticking = EventLoopMonitor(
        "svc", tick_seconds=TICK, max_lag_seconds=MAX_LAG, window_ticks=WINDOW, clock=clock
    )
    await ticking.start()
    yield ticking
    await ticking.stop()


async def test_a_loop_that_turns_on_time_is_live(monitor: EventLoopMonitor) -> None:
    await asyncio.sleep(TICK * 3)
    assert await monitor.check() == {"lag_ms": 0.0}


async def test_a_late_tick_fails_until_a_window_of_ticks_came_on_time(
    monitor: EventLoopMonitor, clock: FakeClock
) -> None:
    # As if a synchronous call held the loop for 30 s between two ticks.
    clock.now += 30.0
    await wait_until(lambda: monitor.lag_seconds > MAX_LAG, what="the late tick")
    with pytest.raises(RuntimeError, match=r"event loop blocked for 30\.0s \(limit 5s\)"):
        await monitor.check()

    await wait_until(lambda: monitor.lag_seconds == 0.0, what="a window of on-time ticks")
    assert await monitor.check() == {"lag_ms": 0.0}


async def test_an_overdue_tick_fails_before_it_runs(clock: FakeClock) -> None:
    # A tick long enough that it cannot run while the test looks: the loop seems stuck.
    stuck = EventLoopMonitor("svc", tick_seconds=60.0, max_lag_seconds=MAX_LAG, clock=clock)
    await stuck.start()
    try:
        assert await stuck.check() == {"lag_ms": 0.0}
        clock.now += 60.0 + MAX_LAG + 1.0
        with pytest.raises(RuntimeError, match="event loop blocked"):
            await stuck.check()
    finally:
        await stuck.stop()


async def test_not_running_is_not_live(monitor: EventLoopMonitor) -> None:
    await monitor.stop()
    with pytest.raises(RuntimeError, match="not running"):
        await monitor.check()
    await monitor.start()
    assert await monitor.check() == {"lag_ms": 0.0}
