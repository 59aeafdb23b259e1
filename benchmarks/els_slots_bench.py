"""ELS slot placement on PostgreSQL: one event per transaction vs a batch's events as one run.

Registers `--batches` batches of `--essays` slots in a throwaway schema, then places one
provisioned event per slot through the consumer kernel's StepRunner (as the slots consumer
does, without Kafka): one by one (`run` + `provision`) and as runs (`run_many` +
`provision_many`), with `--lanes` partitions handled at once. Next to it, in the same run, a
bare one-statement transaction on the same engine (the floor of one event per transaction).
Run with `make bench` (infrastructure must be up). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from pathlib import Path

import structlog
from els_bench_events import Run, registration, upload_events
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bench_support import scratch_schema
from essay_lifecycle_service.di import make_uow_factory
from essay_lifecycle_service.domain.events import EventFactory
from essay_lifecycle_service.domain.ports import UnitOfWork
from essay_lifecycle_service.domain.slots import SlotAssignment
from huleedu_service_libs.config import InfraSettings
from huleedu_service_libs.consumer import StepRunner
from huleedu_service_libs.db import make_session_factory
from huleedu_testing import random_id

SERVICE_DIR = Path(__file__).resolve().parents[1] / "services" / "essay_lifecycle_service"


async def registered_runs(
    runner: StepRunner[UnitOfWork, EventFactory], slots: SlotAssignment, batches: int, essays: int
) -> list[Run]:
    """Register the batches; one run of provisioned events per batch."""
    runs = []
    for _ in range(batches):
        batch_id = random_id()
        await runner.run(registration(batch_id, essays), slots.register)
        runs.append(upload_events(batch_id, essays))
    return runs


async def in_lanes(
    runs: Sequence[Run], lanes: int, handle: Callable[[Run], Awaitable[None]]
) -> float:
    """Seconds to handle every run, `lanes` of them (partitions) at a time."""

    async def lane(mine: Sequence[Run]) -> None:
        for run in mine:
            await handle(run)

    started = time.perf_counter()
    await asyncio.gather(*(lane(runs[i::lanes]) for i in range(lanes)))
    return time.perf_counter() - started


async def bare_transactions(engine: AsyncEngine, count: int) -> float:
    """Seconds per transaction of one statement on the same engine (the floor)."""
    started = time.perf_counter()
    for _ in range(count):
        async with engine.begin() as conn:
            await conn.execute(text("SELECT 1"))
    return (time.perf_counter() - started) / count


async def ready_batches(engine: AsyncEngine) -> int:
    """Batches announced ready (each must be, once)."""
    async with engine.connect() as conn:
        return int(
            await conn.scalar(text("SELECT count(*) FROM batches WHERE ready_at IS NOT NULL")) or 0
        )


async def measure(args: argparse.Namespace, mode: str, lanes: int) -> None:
    """One mode at one lane count, in a fresh schema."""
    async with scratch_schema(InfraSettings(), "els_bench", SERVICE_DIR) as schema:
        runner: StepRunner[UnitOfWork, EventFactory] = StepRunner(
            make_uow_factory(make_session_factory(schema.engine)),
            consumer="essay_lifecycle_service",
            source_service="essay_lifecycle_service",
            events=EventFactory,
        )
        slots = SlotAssignment(timedelta(minutes=15))
        runs = await registered_runs(runner, slots, args.batches, args.essays)
        floor = await bare_transactions(schema.engine, 200)

        async def one_by_one(run: Run) -> None:
            for envelope in run:
                await runner.run(envelope, slots.provision)

        async def as_run(run: Run) -> None:
            await runner.run_many(run, slots.provision_many)

        seconds = await in_lanes(runs, lanes, one_by_one if mode == "one-by-one" else as_run)
        events = args.batches * args.essays
        per_event = seconds / events
        print(
            f"{mode:>10} lanes={lanes:<2} events={events} {1000 * per_event:6.2f} ms/event "
            f"{events / seconds:7.0f} events/s  bare tx {1000 * floor:5.2f} ms "
            f"(ratio {per_event / floor:5.2f})  ready {await ready_batches(schema.engine)}"
            f"/{args.batches}"
        )


async def main() -> None:
    """Both modes at each lane count."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--essays", type=int, default=25)
    parser.add_argument("--lanes", type=int, nargs="+", default=[1, 3, 6])
    args, _ = parser.parse_known_args()
    # Placement logs a line per slot; the benchmark measures the work, not the console.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    for lanes in args.lanes:
        for mode in ("one-by-one", "runs"):
            await measure(args, mode, lanes)


if __name__ == "__main__":
    asyncio.run(main())
