"""The Kafka side of a service: consumers, the outbox relay, periodic jobs and background
loops, supervised, behind a small Quart app that serves the health probes and /metrics.

Every loop runs under a supervisor: if it crashes it is logged and restarted with backoff, and
/healthz/ready reports it, so one bad moment (a broker restart, a dropped connection) never
leaves a process alive but deaf. A periodic job whose ticks have not succeeded for a while is
reported there too. /healthz/live fails only if a supervisor itself has died, the one state no
restart inside the process can repair.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import structlog
from dishka import AsyncContainer, make_async_container
from quart import Quart
from sqlalchemy.ext.asyncio import AsyncEngine

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.http import create_quart_app
from huleedu_service_libs.kafka import (
    KafkaConsumerRunner,
    KafkaEventProducer,
    RecordHandler,
    RunHandling,
)
from huleedu_service_libs.observability import HealthCheck, database_check, kafka_check
from huleedu_service_libs.observability.kafka_offsets import ConsumerLagExporter
from huleedu_service_libs.outbox import OutboxRelay, RelayConfig
from huleedu_service_libs.periodic import PeriodicJob, PeriodicRunner, StaleJobError

logger = structlog.get_logger(__name__)

BackgroundLoop = Callable[[asyncio.Event], Awaitable[None]]
WORKER_LOOPS = "worker_loops"


@dataclass(frozen=True)
class ConsumerSpec:
    """One consumer group member: its topics and the handler for their records.

    `runs` (an `EventDispatcher` with `many` handlers) lets a poll's records of one kind
    and key be handled together; `max_poll_records` bounds a poll, and so a run.
    """

    name: str
    topics: Sequence[str]
    handler: RecordHandler
    group_id: str | None = None
    max_attempts: int = 3
    transient_budget_seconds: float = 120.0
    runs: RunHandling | None = None
    max_poll_records: int = 50


@dataclass
class _Supervised:
    name: str
    task: asyncio.Task[None] | None = None
    failures: int = 0
    last_error: str | None = None
    running: bool = False


@dataclass
class WorkerRuntime:
    """Starts and stops the supervised loops of one worker process."""

    settings: ServiceSettings
    engine: AsyncEngine
    producer: KafkaEventProducer
    consumers: Sequence[ConsumerSpec] = ()
    background: Sequence[tuple[str, BackgroundLoop]] = ()
    run_relay: bool = True
    periodic: Sequence[PeriodicJob] = ()
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    loops: list[_Supervised] = field(default_factory=list)
    periodic_runners: list[PeriodicRunner] = field(init=False)

    def __post_init__(self) -> None:
        self.periodic_runners = [
            PeriodicRunner(
                job,
                service=self.settings.service_name,
                jitter_ratio=self.settings.periodic_jitter_ratio,
                stale_after_intervals=self.settings.periodic_stale_after_intervals,
            )
            for job in self.periodic
        ]

    async def start(self) -> None:
        """Start every loop under its supervisor."""
        self.stopping.clear()
        if self.run_relay:
            self._spawn("outbox-relay", self._relay_loop)
        for spec in self.consumers:
            self._spawn(f"consumer:{spec.name}", self._consumer_loop(spec))
        if self.consumers:
            self._spawn("consumer-lag", self._lag_exporter().run)
        for runner in self.periodic_runners:
            self._spawn(f"periodic:{runner.job.name}", runner.run)
        for name, loop in self.background:
            self._spawn(name, loop)

    async def stop(self) -> None:
        """Ask every loop to finish its work in hand, then wait for them (30 s at most)."""
        self.stopping.set()
        tasks = [s.task for s in self.loops if s.task is not None]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=30)
            for task in pending:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        await self.producer.stop()

    async def check_alive(self) -> None:
        """Liveness: raise if a loop's supervisor ended without being asked to stop."""
        if self.stopping.is_set():
            return
        dead = [s for s in self.loops if s.task is not None and _ended_abnormally(s.task)]
        if dead:
            raise RuntimeError(
                "; ".join(f"{s.name} supervisor ended: {_ending(s.task)}" for s in dead)
            )

    async def check_loops(self) -> None:
        """Readiness: raise if any loop is down (crashed and waiting to restart) or any
        periodic job has gone stale (no successful tick for several intervals)."""
        problems = [
            f"{s.name} down after {s.failures} failure(s): {s.last_error}"
            for s in self.loops
            if not s.running
        ]
        for runner in self.periodic_runners:
            try:
                runner.check_fresh()
            except StaleJobError as exc:
                problems.append(str(exc))
        if problems:
            raise RuntimeError("; ".join(problems))

    def _spawn(self, name: str, loop: BackgroundLoop) -> None:
        supervised = _Supervised(name)
        supervised.task = asyncio.create_task(self._supervise(supervised, loop), name=name)
        self.loops.append(supervised)

    async def _supervise(self, supervised: _Supervised, loop: BackgroundLoop) -> None:
        delay = 0.5
        while not self.stopping.is_set():
            supervised.running = True
            try:
                await loop(self.stopping)
                return
            except Exception as exc:
                supervised.running = False
                supervised.failures += 1
                supervised.last_error = repr(exc)
                logger.exception("worker loop crashed; restarting", loop=supervised.name)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.stopping.wait(), timeout=delay)
                delay = min(delay * 2, 30.0)

    async def _relay_loop(self, stopping: asyncio.Event) -> None:
        relay = OutboxRelay(
            self.engine,
            self.producer,
            service_name=self.settings.service_name,
            config=RelayConfig(
                batch_size=self.settings.outbox_batch_size,
                poll_interval_seconds=self.settings.outbox_poll_interval_seconds,
                max_attempts=self.settings.outbox_max_attempts,
            ),
        )
        stop_watch = asyncio.create_task(_when_set(stopping, relay.request_stop))
        try:
            await relay.run()
        finally:
            stop_watch.cancel()

    def group_id(self, spec: ConsumerSpec) -> str:
        """The consumer group of one of this worker's consumers."""
        return spec.group_id or f"{self.settings.kafka_consumer_group}.{spec.name}"

    def _lag_exporter(self) -> ConsumerLagExporter:
        groups: dict[str, list[str]] = {}
        for spec in self.consumers:
            groups.setdefault(self.group_id(spec), []).extend(spec.topics)
        return ConsumerLagExporter(
            self.settings.kafka_bootstrap_servers,
            service=self.settings.service_name,
            groups=groups,
            interval_seconds=self.settings.metrics_refresh_seconds,
        )

    def _consumer_loop(self, spec: ConsumerSpec) -> BackgroundLoop:
        async def loop(stopping: asyncio.Event) -> None:
            if not self.producer.started:
                await self.producer.start()
            runner = KafkaConsumerRunner(
                bootstrap_servers=self.settings.kafka_bootstrap_servers,
                group_id=self.group_id(spec),
                topics=spec.topics,
                handler=spec.handler,
                dlq_producer=self.producer,
                max_attempts=spec.max_attempts,
                transient_budget_seconds=spec.transient_budget_seconds,
                max_poll_records=spec.max_poll_records,
                runs=spec.runs,
                client_id=f"{self.settings.service_name}-{spec.name}",
                service=self.settings.service_name,
            )
            await runner.start()
            stop_watch = asyncio.create_task(_when_set(stopping, runner.request_stop))
            try:
                await runner.run()
            finally:
                stop_watch.cancel()
                await runner.stop()

        return loop


def _ended_abnormally(task: asyncio.Task[None] | None) -> bool:
    # A supervisor returns normally only when its loop finished (e.g. a one-off preload) or
    # the runtime is stopping; cancelled or raising, nothing will ever restart its loop.
    return task is not None and task.done() and (task.cancelled() or task.exception() is not None)


def _ending(task: asyncio.Task[None] | None) -> str:
    if task is None or task.cancelled():
        return "cancelled"
    return repr(task.exception())


async def _when_set(event: asyncio.Event, action: Callable[[], None]) -> None:
    await event.wait()
    action()


def create_worker_app(
    settings: ServiceSettings,
    engine: AsyncEngine,
    *,
    consumers: Sequence[ConsumerSpec] = (),
    background: Sequence[tuple[str, BackgroundLoop]] = (),
    periodic: Sequence[PeriodicJob] = (),
    run_relay: bool = True,
    container: AsyncContainer | None = None,
    readiness_checks: Sequence[HealthCheck] = (),
    on_shutdown: Sequence[Callable[[], Awaitable[None]]] = (),
) -> tuple[Quart, WorkerRuntime]:
    """The worker process's app (probes and metrics) and the runtime it starts and stops.

    Ready: PostgreSQL, Kafka, every loop running and every periodic job fresh, plus
    `readiness_checks`. Live: the event loop and every loop's supervisor.
    """
    producer = KafkaEventProducer(
        settings.kafka_bootstrap_servers, client_id=f"{settings.service_name}-worker"
    )
    runtime = WorkerRuntime(
        settings,
        engine,
        producer,
        consumers=consumers,
        background=background,
        run_relay=run_relay,
        periodic=periodic,
    )

    async def dispose_engine() -> None:
        await engine.dispose()

    app = create_quart_app(
        settings,
        container or make_async_container(),
        readiness_checks=[
            database_check(engine),
            kafka_check(producer),
            HealthCheck(WORKER_LOOPS, runtime.check_loops),
            *readiness_checks,
        ],
        liveness_checks=[HealthCheck(WORKER_LOOPS, runtime.check_alive)],
        on_startup=[runtime.start],
        on_shutdown=[runtime.stop, *on_shutdown, dispose_engine],
    )
    return app, runtime
