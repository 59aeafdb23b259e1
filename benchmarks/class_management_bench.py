"""Class Management: bulk student creation per second and roster fetches at 200 teachers.

Against the running Class Management Service (`make up`), over its internal API:
1. Bulk creation: teachers import roster CSVs (all-or-nothing, encrypted PII, audit row and
   outbox events included); students created per second over the whole run, for large
   imports and for many concurrent 32-student classes. Each case is printed next to a raw
   asyncpg `executemany` of the same rows (as many transactions of as many rows, as many
   connections in parallel) measured in the same run, and the ratio. Without the stack,
   `class_management_import.py` measures the same in-process.
2. Roster fetch: 200 teachers, each owning a 32-student class, each fetching its roster at
   a steady pace (open load); latency percentiles, and the same through the gateway.
Prints numbers only; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
import uuid
from collections.abc import Awaitable, Callable

import aiohttp

from bench_support import raw_executemany, roster_csv
from huleedu_service_libs.config import InfraSettings
from huleedu_testing.gateway_client import GatewayClient
from huleedu_testing.stats import percentile

CMS_URL = os.environ.get("HULEEDU_CMS_URL", "http://127.0.0.1:5002")
INTERNAL_KEY = os.environ.get("HULEEDU_INTERNAL_API_KEY", "dev-internal-api-key")


def headers(user_id: str, **extra: str) -> dict[str, str]:
    """Internal API headers for one teacher."""
    return {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": user_id, **extra}


async def create_class(http: aiohttp.ClientSession, user_id: str, name: str) -> str:
    """A new ENG5 class of `user_id`; its id."""
    body = {"name": name, "course_code": "ENG5"}
    async with http.post(
        f"{CMS_URL}/internal/v1/classes", json=body, headers=headers(user_id)
    ) as r:
        if r.status != 201:
            raise RuntimeError(f"create class: {r.status} {await r.text()}")
        return str((await r.json())["class_id"])


async def import_roster(http: aiohttp.ClientSession, user_id: str, class_id: str, rows: int) -> int:
    """Import a roster of `rows` new students; the number created."""
    url = f"{CMS_URL}/internal/v1/classes/{class_id}/roster"
    data = roster_csv(rows, uuid.uuid4().hex[:8])
    async with http.post(
        url, data=data, headers=headers(user_id, **{"Content-Type": "text/csv"})
    ) as r:
        if r.status != 201:
            raise RuntimeError(f"roster import: {r.status} {(await r.text())[:300]}")
        return int((await r.json())["created_count"])


async def bulk_creation(
    http: aiohttp.ClientSession, imports: int, rows: int, parallel: int
) -> float:
    """Students created per second by `imports` roster imports of `rows`, `parallel` at once."""
    teachers = [f"bench-teacher-{uuid.uuid4().hex[:10]}" for _ in range(imports)]
    classes = await asyncio.gather(*(create_class(http, t, "Bench") for t in teachers))
    gate = asyncio.Semaphore(parallel)

    async def one(user_id: str, class_id: str) -> int:
        async with gate:
            return await import_roster(http, user_id, class_id, rows)

    started = time.perf_counter()
    created = sum(
        await asyncio.gather(*(one(t, c) for t, c in zip(teachers, classes, strict=True)))
    )
    return created / (time.perf_counter() - started)


async def paced_load(
    fetch: Callable[[int], Awaitable[None]], users: int, seconds: float, interval: float
) -> tuple[list[float], int]:
    """Each user fetches every `interval` s (random phase) for `seconds`; latencies, errors."""
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def user(index: int) -> None:
        nonlocal errors
        await asyncio.sleep(random.uniform(0, interval))
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                await fetch(index)
                latencies.append((time.perf_counter() - started) * 1000)
            except (aiohttp.ClientError, RuntimeError, TimeoutError):
                errors += 1
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))

    await asyncio.gather(*(user(i) for i in range(users)))
    return latencies, errors


def report(label: str, latencies: list[float], errors: int, seconds: float) -> None:
    """One line of latency percentiles."""
    if not latencies:
        print(f"{label}: no successful requests ({errors} errors)")
        return
    print(
        f"{label}: {len(latencies)} requests, {errors} errors, "
        f"{len(latencies) / seconds:.0f} req/s, "
        f"p50 {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
        f"p99 {percentile(latencies, 99):.1f} ms   (target p95 < 20 ms; seed 27 ms)"
    )


async def roster_fetch(
    http: aiohttp.ClientSession, users: int, seconds: float, interval: float, settle: float
) -> None:
    """Roster fetches of 32-student classes by `users` teachers, direct and via the gateway."""
    teachers = [GatewayClient(http) for _ in range(users)]
    gate = asyncio.Semaphore(10)

    async def prepare(teacher: GatewayClient) -> str:
        async with gate:
            class_id = await create_class(http, teacher.user_id, "9A")
            await import_roster(http, teacher.user_id, class_id, 32)
            await teacher.login()
            return class_id

    classes = await asyncio.gather(*(prepare(t) for t in teachers))
    # The imports above queued thousands of outbox events: let the relay publish them before
    # measuring, so the numbers are about roster reads only.
    await asyncio.sleep(settle)

    async def direct(index: int) -> None:
        url = f"{CMS_URL}/internal/v1/classes/{classes[index]}"
        async with http.get(url, headers=headers(teachers[index].user_id)) as r:
            body = await r.json()
            if r.status != 200 or len(body["students"]) != 32:
                raise RuntimeError(f"roster: {r.status}")

    async def via_gateway(index: int) -> None:
        status, body, _ = await teachers[index].call("GET", f"/v1/classes/{classes[index]}")
        if status != 200 or len(body["students"]) != 32:
            raise RuntimeError(f"roster via gateway: {status}")

    rate = users / interval
    latencies, errors = await paced_load(direct, users, seconds, interval)
    report(
        f"roster fetch, CMS direct, {users} teachers at {rate:.0f} req/s",
        latencies,
        errors,
        seconds,
    )
    latencies, errors = await paced_load(via_gateway, users, seconds, interval)
    report(
        f"roster fetch, via gateway, {users} teachers at {rate:.0f} req/s",
        latencies,
        errors,
        seconds,
    )


async def main(args: argparse.Namespace) -> None:
    """Run both measurements and print their numbers."""
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        if args.only in ("", "bulk"):
            await bulk_numbers(http)
        if args.only in ("", "roster"):
            await roster_fetch(http, args.users, args.seconds, args.interval, args.settle)


async def bulk_numbers(http: aiohttp.ClientSession) -> None:
    """Bulk creation through roster imports, each case next to raw executemany of its rows."""
    for imports, rows, parallel in ((10, 1000, 2), (100, 32, 8)):
        ours = await bulk_creation(http, imports=imports, rows=rows, parallel=parallel)
        raw = await raw_executemany(
            InfraSettings(), "huleedu_class_management", imports, rows, parallel
        )
        print(
            f"bulk student creation, {imports} imports x {rows:,} rows, {parallel} at a time: "
            f"{ours:,.0f} students/s; raw asyncpg executemany of the same rows in the same "
            f"run: {raw:,.0f} rows/s; ratio {ours / raw:.3f} (target for 1,000 rows: >= "
            "20,000/s and >= 0.25; each of our students also writes a membership and an "
            "outbox event and encrypts two values)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between one user's fetches"
    )
    parser.add_argument("--only", choices=("", "bulk", "roster"), default="")
    parser.add_argument("--settle", type=float, default=15.0, help="pause before measuring")
    arguments, _ = parser.parse_known_args()
    asyncio.run(main(arguments))
