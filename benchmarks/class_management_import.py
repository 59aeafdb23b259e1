"""Class Management roster CSV import in this process: students/s next to raw `executemany`.

Needs only PostgreSQL, not the stack: the service's migrations run in a throwaway schema of
the library test database, dropped at the end. The app runs in this process behind Quart's
test client (routing, CSV parsing, encryption, the transaction, audit row and outbox events
all included; no socket). Two cases, as `class_management_bench.py` measures them through the
running service: 10 imports x 1,000 rows, 2 at a time, and 100 imports x 32 rows, 8 at a time.
Each case runs `--rounds` times, each round followed by a raw asyncpg `executemany` of the
same number of student-shaped rows in as many transactions (`--imports` x `--rows`, as many
connections in parallel) on the same database; the median round by ratio is printed. On this
two-vCPU VM, shared with other work, CPU per student grows by up to ~1.5x when the other
vCPU is busy: compare variants in one sitting. --profile prints a cProfile of
the 1,000-row imports. Prints numbers only; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import time
from pathlib import Path
from typing import Any

from bench_support import raw_executemany, roster_csv, scratch_schema
from class_management_service.app import create_app
from huleedu_service_libs.config import InfraSettings
from huleedu_testing import random_id
from huleedu_testing.class_management.roster_http import INTERNAL_KEY, settings_for_schema
from huleedu_testing.fixtures import LIBS_TEST_DATABASE

SERVICE_DIR = Path(__file__).resolve().parents[1] / "services" / "class_management_service"
CASES = ((10, 1000, 2), (100, 32, 8))  # imports, rows per import, imports at a time


async def imports_per_second(
    client: Any, imports: int, rows: int, parallel: int
) -> tuple[float, float]:
    """Students created per second by `imports` CSV imports of `rows`, `parallel` at once,
    and this process's CPU microseconds per student."""
    jobs = []
    for _ in range(imports):
        user = f"perf-teacher-{random_id()[:10]}"
        headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": user}
        body = {"name": "Bench", "course_code": "ENG5"}
        created = await client.post("/internal/v1/classes", json=body, headers=headers)
        class_id = (await created.get_json())["class_id"]
        jobs.append((class_id, headers, roster_csv(rows, random_id()[:8])))
    gate = asyncio.Semaphore(parallel)

    async def one(class_id: str, headers: dict[str, str], data: bytes) -> int:
        async with gate:
            answer = await client.post(
                f"/internal/v1/classes/{class_id}/roster",
                data=data,
                headers={**headers, "Content-Type": "text/csv"},
            )
            body = await answer.get_json()
            if answer.status_code != 201:
                raise RuntimeError(f"roster import: {answer.status_code} {body}")
            return int(body["created_count"])

    started, cpu = time.perf_counter(), time.process_time()
    created = sum(await asyncio.gather(*(one(*job) for job in jobs)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - started
    return created / wall, cpu / created * 1e6


async def one_case(
    client: Any, infra: InfraSettings, case: tuple[int, int, int], args: argparse.Namespace
) -> None:
    """`args.rounds` rounds of the imports, each followed by raw executemany of the same
    rows (so both see the same machine); the median round's figures and the ratio."""
    imports, rows, parallel = case
    profiler = cProfile.Profile() if args.profile and rows >= 1000 else None
    rounds = []
    for _ in range(args.rounds):
        if profiler:
            profiler.enable()
        ours, cpu = await imports_per_second(client, imports, rows, parallel)
        if profiler:
            profiler.disable()
        raw = await raw_executemany(infra, LIBS_TEST_DATABASE, imports, rows, parallel)
        rounds.append((ours / raw, ours, raw, cpu))
    ratio, ours, raw, cpu = sorted(rounds)[len(rounds) // 2]
    print(
        f"roster import in-process, {imports} imports x {rows:,} rows, {parallel} at a time "
        f"(median of {args.rounds} rounds by ratio): {ours:,.0f} students/s ({cpu:.0f} µs CPU "
        f"each; all rounds {', '.join(f'{r[1]:,.0f}' for r in rounds)}); raw asyncpg "
        f"executemany of the same rows ({imports} transactions of {rows:,}, {parallel} "
        f"connections): {raw:,.0f} rows/s; ratio {ratio:.3f} (target for 1,000 rows: >= "
        "20,000 students/s and >= 0.25; each student also writes a membership and an "
        "outbox event and encrypts two values)"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(30)


async def measure(args: argparse.Namespace) -> None:
    """Each case through the app next to raw executemany of the same rows."""
    infra = InfraSettings()
    async with scratch_schema(infra, "perf_import", SERVICE_DIR) as schema:
        settings = settings_for_schema(schema.name, roster_import_max_rows=max(args.rows, 1000))
        app = create_app(settings, schema.engine)
        async with app.test_app() as test_app:
            client = test_app.test_client()
            await imports_per_second(client, 2, 32, 1)  # warm-up: connections, caches
            cases = ((args.imports, args.rows, args.parallel),) if args.rows else CASES
            for case in cases:
                await one_case(client, infra, case, args)


def main() -> None:
    """Parse arguments and measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--imports", type=int, default=10)
    parser.add_argument(
        "--rows", type=int, default=0, help="one case of this many rows (default: both cases)"
    )
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
