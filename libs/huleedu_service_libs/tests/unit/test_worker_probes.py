"""WorkerRuntime's probes: a crashing loop is unready (it restarts by itself), a supervisor
that died is not live (only a process restart helps), a finished one-off loop is fine, a
periodic job with no recent successful tick is unready."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.consumer import utc_now
from huleedu_service_libs.kafka import KafkaEventProducer
from huleedu_service_libs.periodic import PeriodicJob
from huleedu_service_libs.worker import BackgroundLoop, WorkerRuntime
from huleedu_testing.kafka_helpers import wait_until

pytestmark = pytest.mark.unit

RuntimeFactory = Callable[..., Awaitable[WorkerRuntime]]


@pytest.fixture
async def make_runtime() -> AsyncIterator[RuntimeFactory]:
    """Runtimes with only the given background loops (no relay, no consumers, no I/O)."""
    started: list[WorkerRuntime] = []
    # Never connected: no loop here touches the database or the broker.
    engine = create_async_engine("postgresql+asyncpg://nobody@127.0.0.1:9/none")

    async def make(
        *loops: tuple[str, BackgroundLoop], periodic: tuple[PeriodicJob, ...] = ()
    ) -> WorkerRuntime:
        runtime = WorkerRuntime(
            ServiceSettings(service_name="worker-probe-test"),
            engine,
            KafkaEventProducer("127.0.0.1:9", client_id="worker-probe-test"),
            background=loops,
            run_relay=False,
            periodic=periodic,
        )
        await runtime.start()
        started.append(runtime)
        return runtime

    yield make
    for runtime in started:
        await runtime.stop()
    await engine.dispose()


async def _until_stopped(stopping: asyncio.Event) -> None:
    await stopping.wait()


async def _one_off(stopping: asyncio.Event) -> None:
    return None


async def test_running_and_finished_one_off_loops_are_live_and_ready(
    make_runtime: RuntimeFactory,
) -> None:
    runtime = await make_runtime(("monitor", _until_stopped), ("preload", _one_off))
    preload = runtime.loops[1].task
    assert preload is not None
    await asyncio.wait({preload})
    await runtime.check_alive()
    await runtime.check_loops()


async def test_a_crashing_loop_is_unready_but_live(make_runtime: RuntimeFactory) -> None:
    async def crashing(stopping: asyncio.Event) -> None:
        raise ConnectionRefusedError("database down")

    runtime = await make_runtime(("consumer:views", crashing))
    await wait_until(lambda: runtime.loops[0].failures >= 1, what="the first crash")
    with pytest.raises(RuntimeError, match="consumer:views down after"):
        await runtime.check_loops()
    await runtime.check_alive()


async def test_a_dead_supervisor_is_not_live(make_runtime: RuntimeFactory) -> None:
    async def cancelled_from_inside(stopping: asyncio.Event) -> None:
        # What a client library that leaks its own cancellation looks like to the supervisor.
        raise asyncio.CancelledError

    runtime = await make_runtime(("outbox-relay", cancelled_from_inside))
    supervisor = runtime.loops[0].task
    assert supervisor is not None
    await asyncio.wait({supervisor})
    with pytest.raises(RuntimeError, match="outbox-relay supervisor ended: cancelled"):
        await runtime.check_alive()


async def test_stopping_is_live(make_runtime: RuntimeFactory) -> None:
    async def cancelled_from_inside(stopping: asyncio.Event) -> None:
        raise asyncio.CancelledError

    runtime = await make_runtime(("outbox-relay", cancelled_from_inside))
    runtime.stopping.set()
    await runtime.check_alive()


async def test_a_periodic_job_runs_supervised_and_is_unready_once_stale(
    make_runtime: RuntimeFactory,
) -> None:
    ticks: list[int] = []

    async def tick() -> int:
        ticks.append(1)
        return 0

    runtime = await make_runtime(periodic=(PeriodicJob("timeouts", tick, 60.0),))
    await wait_until(lambda: bool(ticks), what="the first tick")
    assert [s.name for s in runtime.loops] == ["periodic:timeouts"]
    await runtime.check_loops()

    runner = runtime.periodic_runners[0]
    runner.last_success = utc_now() - timedelta(seconds=runner.stale_after_seconds + 1)
    with pytest.raises(RuntimeError, match="periodic:timeouts stale"):
        await runtime.check_loops()
    await runtime.check_alive()
