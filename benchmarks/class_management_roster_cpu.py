"""Class Management roster read (GET /internal/v1/classes/{id}): CPU and round trips per request.

Needs only PostgreSQL, not the stack: the service's migrations run in a throwaway schema of
the library test database, dropped at the end.
- default: the app in this process behind Quart's test client (or, with --via uvicorn|
  hypercorn, served for real in this process to a raw keep-alive client that costs almost
  nothing: the server's overhead included); sequential roster reads of a 32-student class in
  5 rounds; CMS CPU ms per request (time.process_time; least and median round), the
  PostgreSQL backend's CPU per request (from /proc) and database round trips per request
  (asyncpg calls counted). --profile prints a cProfile of the measured requests.
- --serve uvicorn|hypercorn: the app served for real by a child process; `--users` teachers
  (32 students each) fetch their roster every `--interval` s (class_management_bench.py's
  pattern); latency percentiles, and CPU of the server process and the load generator.
--set NAME=VALUE overrides a setting (e.g. roster_pii_cache_students=0). On this two-vCPU VM
CPU time per request grows by up to ~1.5x when the other vCPU is busy: compare variants
alternately in one sitting (an older tree: PYTHONPATH to a `git archive` of it). Prints
numbers only; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import random
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from bench_support import roster_csv
from class_management_service.app import create_app
from huleedu_service_libs.config import InfraSettings
from huleedu_testing import random_id
from huleedu_testing.class_management.roster_http import INTERNAL_KEY, settings_for_schema
from huleedu_testing.fixtures import LIBS_TEST_DATABASE
from huleedu_testing.migrations import upgrade_to_head
from huleedu_testing.servers import (
    free_port,
    serve_in_background,
    wait_until_answering,
)
from huleedu_testing.stats import percentile

SERVICE_DIR = Path(__file__).resolve().parents[1] / "services" / "class_management_service"
ROUNDS = 5
SERVER_SCRIPT = """
import asyncio, json, sys
from class_management_service.app import create_app
from huleedu_testing.class_management.roster_http import settings_for_schema
from huleedu_service_libs.http import serve_quart
settings = settings_for_schema(**json.loads(sys.argv[1]))
asyncio.run(serve_quart(create_app(settings), settings))
"""
_SIMPLE_QUERIES = ("BEGIN;", "COMMIT;", "ROLLBACK;", ";")  # transactions and pre-ping
_ROUND_TRIPS: Counter[str] = Counter()
_BACKENDS: set[int] = set()  # PostgreSQL backend processes that served the requests
Reader = Callable[[], Awaitable[None]]


def _count(owner: Any, name: str) -> None:
    original = getattr(owner, name)

    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        query = args[0] if args and isinstance(args[0], str) else ""
        _ROUND_TRIPS[query if query in _SIMPLE_QUERIES else name] += 1
        _BACKENDS.add(getattr(self, "_connection", self).get_server_pid())
        return await original(self, *args, **kwargs)

    setattr(owner, name, counted)


def count_round_trips() -> None:
    """Count every asyncpg call that talks to the server (statement-cache hits excluded)."""
    for name in ("execute", "executemany", "fetch", "fetchrow", "prepare"):
        _count(asyncpg.connection.Connection, name)
    for name in ("fetch", "fetchrow", "executemany"):
        _count(asyncpg.prepared_stmt.PreparedStatement, name)


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


@contextmanager
def throwaway_schema() -> Iterator[str]:
    """A migrated schema in the library test database, dropped afterwards."""
    schema = f"perf_{random_id()[:12]}"
    url = InfraSettings().database_url(LIBS_TEST_DATABASE)

    async def run(sql: str, migrate: bool = False) -> None:
        admin = create_async_engine(url)
        async with admin.begin() as conn:
            await conn.execute(text(sql))
        await admin.dispose()
        if migrate:
            engine = create_async_engine(
                url, connect_args={"server_settings": {"search_path": schema}}
            )
            await upgrade_to_head(engine, SERVICE_DIR)
            await engine.dispose()

    asyncio.run(run(f'CREATE SCHEMA "{schema}"', migrate=True))
    try:
        yield schema
    finally:
        asyncio.run(run(f'DROP SCHEMA "{schema}" CASCADE'))


async def seed(client: Any, teachers: int) -> list[tuple[str, str]]:
    """(teacher, class id) pairs: 32 students each, 4 of them also in the teacher's 2nd class."""
    pairs = []
    for _ in range(teachers):
        user = f"perf-teacher-{random_id()[:10]}"
        headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": user}
        ids = []
        for name in ("9A", "9B"):
            body = {"name": name, "course_code": "ENG5"}
            created = await client.post("/internal/v1/classes", json=body, headers=headers)
            ids.append((await created.get_json())["class_id"])
        csv = roster_csv(32, random_id()[:8])
        for class_id, data in ((ids[0], csv), (ids[1], b"\n".join(csv.splitlines()[:5]) + b"\n")):
            imported = await client.post(
                f"/internal/v1/classes/{class_id}/roster",
                data=data,
                headers={**headers, "Content-Type": "text/csv"},
            )
            assert imported.status_code == 201, await imported.get_data()
        pairs.append((user, ids[0]))
    return pairs


async def raw_reader(base_url: str, path: str, headers: dict[str, str]) -> Reader:
    """Reads over one keep-alive HTTP/1.1 connection with asyncio streams (almost no CPU)."""
    host, port = base_url.removeprefix("http://").split(":")
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{head}\r\n".encode()
    streams = [await asyncio.open_connection(host, int(port))]

    async def read() -> None:
        reader, writer = streams[0]
        writer.write(request)
        try:
            raw = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:  # hypercorn closes after 1,000 requests
            streams[0] = await asyncio.open_connection(host, int(port))
            return await read()
        lines = raw.decode().split("\r\n")
        length = next(
            int(v)
            for k, _, v in (h.partition(": ") for h in lines)
            if k.lower() == "content-length"
        )
        body = json.loads(await reader.readexactly(length))
        assert (lines[0].split()[1], len(body["students"])) == ("200", 32)

    return read


async def measure(read: Reader, label: str, requests: int, profile: bool) -> None:
    """Warm up, then ROUNDS rounds of sequential reads; print CPU, round trips, DB CPU."""
    for _ in range(200):
        await read()
    _BACKENDS.clear()
    await read()
    backends = {pid: sum(cpu_times(pid)) for pid in _BACKENDS}
    _ROUND_TRIPS.clear()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    per_round, rounds = max(requests // ROUNDS, 1), []
    for _ in range(ROUNDS):
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(per_round):
            await read()
        rounds.append((time.process_time() - cpu, time.perf_counter() - wall))
    if profiler:
        profiler.disable()
    done = per_round * ROUNDS
    db_cpu = sum(sum(cpu_times(pid)) - before for pid, before in backends.items())
    trips = {k: round(v / done, 2) for k, v in sorted(_ROUND_TRIPS.items())}
    cpus = sorted(c / per_round * 1000 for c, _ in rounds)
    print(
        f"in-process via {label}, {done} sequential roster reads of 32 students: CMS CPU/request "
        f"min {cpus[0]:.2f} ms, median {cpus[ROUNDS // 2]:.2f} ms (wall min "
        f"{min(w for _, w in rounds) / per_round * 1000:.2f} ms); PostgreSQL CPU/request "
        f"{db_cpu / done * 1000:.2f} ms; {sum(_ROUND_TRIPS.values()) / done:.1f} round "
        f"trips/request {trips}"
    )
    if profiler:
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(30)


async def in_process(schema: str, args: argparse.Namespace, overrides: dict[str, str]) -> None:
    """Sequential roster reads through the test client, or a real server in this process."""
    count_round_trips()
    settings = settings_for_schema(schema, **overrides)
    app = create_app(settings)
    async with app.test_app() as test_app:
        client = test_app.test_client()
        [(user, class_id)] = await seed(client, 1)
        path = f"/internal/v1/classes/{class_id}"
        headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": user}

        async def read() -> None:
            response = await client.get(path, headers=headers)
            students = json.loads(await response.get_data())["students"]
            assert (response.status_code, len(students)) == (200, 32)

        if not args.via:
            await measure(read, "test client", args.requests, args.profile)
            return
    # A fresh app (its startup hooks run again) served for real on a loopback port.
    served_settings = settings.model_copy(update={"http_server": args.via})
    async with serve_in_background(create_app(served_settings), served_settings) as base:
        reader = await raw_reader(base, path, headers)
        await measure(reader, args.via, args.requests, args.profile)


async def served(schema: str, args: argparse.Namespace, overrides: dict[str, str]) -> None:
    """Paced roster reads against the app served by a child process."""
    app = create_app(settings_for_schema(schema, **overrides))
    async with app.test_app() as test_app:
        pairs = await seed(test_app.test_client(), args.users)
    port = free_port()
    child_settings = {**overrides, "schema": schema, "http_port": port, "http_server": args.serve}
    # Its request log is still produced (as in the stack) but goes nowhere.
    child = subprocess.Popen(  # noqa: ASYNC220, S603 - our own interpreter and script
        [sys.executable, "-c", SERVER_SCRIPT, json.dumps(child_settings)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    errors = 0
    try:
        await wait_until_answering(f"{base}/healthz")
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:

            async def user(index: int, until: float, interval: float) -> None:
                nonlocal errors
                teacher, class_id = pairs[index]
                url = f"{base}/internal/v1/classes/{class_id}"
                headers = {"X-Internal-API-Key": INTERNAL_KEY, "X-User-ID": teacher}
                await asyncio.sleep(random.uniform(0, interval))
                while time.perf_counter() < until:
                    started = time.perf_counter()
                    async with http.get(url, headers=headers) as response:
                        body = await response.json()
                    if response.status == 200 and len(body["students"]) == 32:
                        latencies.append((time.perf_counter() - started) * 1000)
                    else:
                        errors += 1
                    await asyncio.sleep(max(0.0, interval - (time.perf_counter() - started)))

            warm_up = time.perf_counter() + 3
            await asyncio.gather(*(user(i, warm_up, args.interval) for i in range(args.users)))
            latencies.clear()
            before, client_cpu = cpu_times(child.pid), time.process_time()
            until = time.perf_counter() + args.seconds
            await asyncio.gather(*(user(i, until, args.interval) for i in range(args.users)))
            user_cpu, system_cpu = (
                a - b for a, b in zip(cpu_times(child.pid), before, strict=True)
            )
            client_cpu = time.process_time() - client_cpu
    finally:
        child.terminate()
        child.wait(timeout=30)
    n = max(len(latencies), 1)
    print(
        f"{args.serve}, {args.users} teachers every {args.interval:g} s for {args.seconds:g} s: "
        f"{len(latencies)} requests "
        f"({len(latencies) / args.seconds:.0f}/s), {errors} errors, p50 "
        f"{percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, p99 "
        f"{percentile(latencies, 99):.1f} ms; server CPU {(user_cpu + system_cpu) / n * 1000:.2f} "
        f"ms/request (system {system_cpu / n * 1000:.2f}; "
        f"{(user_cpu + system_cpu) / args.seconds:.0%} of a core); load generator "
        f"{client_cpu / args.seconds:.0%} of a core"
    )


def main() -> None:
    """Parse arguments, make the schema, measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--via", choices=("", "uvicorn", "hypercorn"), default="")
    parser.add_argument("--serve", choices=("", "uvicorn", "hypercorn"), default="")
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--set", action="append", default=[], help="a setting, NAME=VALUE")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.set)
    with throwaway_schema() as schema:
        if args.serve:
            asyncio.run(served(schema, args, overrides))
        else:
            asyncio.run(in_process(schema, args, overrides))


if __name__ == "__main__":
    main()
