"""Class Management roster CSV import in this process: students/s next to raw `executemany`.

Needs only PostgreSQL, not the stack: the service's migrations run in a throwaway schema of
the library test database, dropped at the end. The app runs in this process behind Quart's
test client (routing, CSV parsing, encryption, the transaction, audit row and outbox events
all included; no socket). Two cases, as `class_management_bench.py` measures them through the
running service: 10 imports x 1,000 rows, 2 at a time, and 100 imports x 32 rows, 8 at a time.
Each case is printed next to a raw asyncpg `executemany` of the same number of student-shaped
rows in the same transactions (`--imports` x `--rows`, as many connections in parallel),
measured in the same run on the same database, and the ratio. --profile prints a cProfile of
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


async def measure(args: argparse.Namespace) -> None:
    """Each case through the app, then raw executemany of the same rows, and the ratio."""
    infra = InfraSettings()
    async with scratch_schema(infra, "perf_import", SERVICE_DIR) as schema:
        settings = settings_for_schema(schema.name, roster_import_max_rows=max(args.rows, 1000))
        app = create_app(settings, schema.engine)
        async with app.test_app() as test_app:
            client = test_app.test_client()
            await imports_per_second(client, 2, 32, 1)  # warm-up: connections, caches
            cases = ((args.imports, args.rows, args.parallel),) if args.rows else CASES
            for imports, rows, parallel in cases:
                profiler = cProfile.Profile() if args.profile and rows >= 1000 else None
                if profiler:
                    profiler.enable()
                ours, cpu = await imports_per_second(client, imports, rows, parallel)
                if profiler:
                    profiler.disable()
                raw = await raw_executemany(infra, LIBS_TEST_DATABASE, imports, rows, parallel)
                print(
                    f"roster import in-process, {imports} imports x {rows:,} rows, {parallel} "
                    f"at a time: {ours:,.0f} students/s ({cpu:.0f} µs CPU each); raw asyncpg "
                    f"executemany of the same rows ({imports} transactions of {rows:,}, "
                    f"{parallel} connections): "
                    f"{raw:,.0f} rows/s; ratio {ours / raw:.3f} (target >= 0.25 and >= "
                    "20,000 students/s for 1,000-row imports; each student also writes a "
                    "membership and an outbox event and encrypts two values)"
                )
                if profiler:
                    stats = pstats.Stats(profiler)
                    stats.sort_stats(os.environ.get("SORT", "tottime")).print_stats(30)


def main() -> None:
    """Parse arguments and measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--imports", type=int, default=10)
    parser.add_argument(
        "--rows", type=int, default=0, help="one case of this many rows (default: both cases)"
    )
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--profile", action="store_true")
    asyncio.run(measure(parser.parse_args()))


if __name__ == "__main__":
    main()
