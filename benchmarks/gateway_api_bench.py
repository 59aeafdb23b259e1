"""Gateway read path under load: 200 teachers polling batch status and lists (locust).

Prepares the teachers through the public API (development tokens, registered batches, seen
by the Result Aggregator), then runs locust headless in its own process and prints requests/s
and latency percentiles per endpoint. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

from huleedu_testing.gateway_client import GatewayClient

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = ROOT / "benchmarks" / "locust" / "gateway_locustfile.py"


async def prepare_teacher(http: aiohttp.ClientSession, batches: int) -> dict[str, object]:
    """One teacher with a token and `batches` registered batches the aggregator has seen."""
    teacher = GatewayClient(http)
    await teacher.login()
    batch_ids = [
        (await teacher.register_batch("ENG5", 2, "Describe a place you love."))["batch_id"]
        for _ in range(batches)
    ]
    for _ in range(100):
        listed = await teacher.expect(200, "GET", "/v1/batches?limit=50")
        if listed["total"] >= batches:
            break
        await asyncio.sleep(0.2)
    return {"user_id": teacher.user_id, "token": teacher.token, "batch_ids": batch_ids}


async def prepare(users: int, batches: int) -> list[dict[str, object]]:
    """All teachers, prepared 20 at a time."""
    limit = asyncio.Semaphore(20)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:

        async def one() -> dict[str, object]:
            async with limit:
                return await prepare_teacher(http, batches)

        return list(await asyncio.gather(*(one() for _ in range(users))))


def run_locust(teachers_file: Path, users: int, seconds: int, out_prefix: Path) -> None:
    """Locust headless in its own process; its stats land in `<out_prefix>_stats.csv`."""
    env = {**os.environ, "HULEEDU_BENCH_TEACHERS": str(teachers_file)}
    command = [
        str(Path(sys.executable).with_name("locust")),
        "-f", str(LOCUSTFILE), "--headless", "--only-summary",
        "-u", str(users), "-r", str(max(users // 5, 1)), "-t", f"{seconds}s",
        "--host", os.environ.get("HULEEDU_API_URL", "http://127.0.0.1:8080"),
        "--csv", str(out_prefix), "--loglevel", "WARNING",
    ]  # fmt: skip
    # Our own venv's locust with arguments built here: nothing untrusted reaches the command.
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=seconds + 120)  # noqa: S603


def report(stats_csv: Path) -> None:
    """Print one line per endpoint and the aggregate."""
    with stats_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    print(f"{'endpoint':<22}{'requests':>10}{'fail':>6}{'req/s':>9}{'p50':>7}{'p95':>7}{'p99':>7}")
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all"
        print(
            f"{name:<22}{row['Request Count']:>10}{row['Failure Count']:>6}"
            f"{float(row['Requests/s']):>9.1f}{row['50%']:>6}ms{row['95%']:>5}ms{row['99%']:>5}ms"
        )


def main() -> None:
    """Prepare teachers, run locust, print the numbers."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--batches", type=int, default=2, help="batches per teacher")
    args, _ = parser.parse_known_args()
    teachers = asyncio.run(prepare(args.users, args.batches))
    with tempfile.TemporaryDirectory(prefix="huleedu-locust-") as tmp:
        teachers_file = Path(tmp) / "teachers.json"
        teachers_file.write_text(json.dumps(teachers), encoding="utf-8")
        prefix = Path(tmp) / "gateway"
        run_locust(teachers_file, args.users, args.seconds, prefix)
        print(
            f"gateway reads: {args.users} teachers (locust users, ~1 request/s each), "
            f"{args.seconds}s, {args.batches} batches each"
        )
        report(Path(f"{prefix}_stats.csv"))


if __name__ == "__main__":
    main()
