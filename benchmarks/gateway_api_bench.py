"""Gateway read path under load: 200 teachers polling batch status and lists, and its limits.

Prepares the teachers through the public API (development tokens, registered batches, seen
by the Result Aggregator), then:
(a) locust headless in its own process: 200 users with spread phases, ~1 request/s each;
    requests/s and latency percentiles per endpoint;
(b) open-loop Poisson arrivals at a fixed total rate (`--rate`) on the batch status read,
    latency from each arrival's scheduled time, the generator's CPU printed (open_loop.py);
(c) the same open-loop rate and a closed-loop maximum (`--workers`) against a baseline app
    (FastAPI + one asyncpg primary-key select, served like the gateway: baseline_app.py) and
    the gateway's closed-loop maximum, in the same run.
Prints the gateway's closed-loop requests/s as a ratio of the baseline's (target >= 0.5) and
its open-loop p95 next to the baseline's with their ratio. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from proc_cpu import own_cpu_seconds, stack_processes

from api_gateway_service.config import GatewaySettings
from baseline_app import running_baseline
from huleedu_service_libs.config import InfraSettings
from huleedu_testing.gateway_client import DEFAULT_GATEWAY_URL, GatewayClient
from open_loop import LoadResult, Target, closed_loop, open_loop, run

ROOT = Path(__file__).resolve().parents[1]
LOCUSTFILE = ROOT / "benchmarks" / "locust" / "gateway_locustfile.py"
API_URL = os.environ.get("HULEEDU_API_URL", DEFAULT_GATEWAY_URL)
# The processes a gateway batch read runs in (stack manifest names): their CPU per request.
READ_PATH = {
    "gateway": "api_gateway_service-http",
    "result aggregator": "result_aggregator_service-http",
}


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
        # --reset-stats: the numbers cover all users running, not the ramp (users // 5 per s).
        "-f", str(LOCUSTFILE), "--headless", "--only-summary", "--reset-stats",
        "-u", str(users), "-r", str(max(users // 5, 1)), "-t", f"{seconds}s",
        "--host", API_URL,
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


def status_targets(teachers: list[dict[str, object]]) -> list[Target]:
    """Every teacher's batch status reads, shuffled, so per-user rate limits see an even share."""
    targets = [
        Target(f"{API_URL}/v1/batches/{batch_id}", {"Authorization": f"Bearer {t['token']}"})
        for t in teachers
        for batch_id in t["batch_ids"]  # type: ignore[attr-defined]
    ]
    random.Random(16).shuffle(targets)
    return targets


@dataclass
class Measured:
    """One load run and the CPU seconds each watched process spent during it."""

    result: LoadResult
    cpu: dict[str, float]

    def ms_per_request(self) -> dict[str, float]:
        """CPU milliseconds per answered request, per process."""
        ok = max(self.result.ok, 1)
        return {name: 1000 * seconds / ok for name, seconds in self.cpu.items()}


async def measured(load: Awaitable[LoadResult], pids: dict[str, int]) -> Measured:
    """Run `load` and read the watched processes' CPU time (from /proc) around it."""
    before = {name: own_cpu_seconds(pid) for name, pid in pids.items()}
    result = await load
    return Measured(result, {n: own_cpu_seconds(p) - before[n] for n, p in pids.items()})


def read_path_pids() -> dict[str, int]:
    """Pids of the gateway's and the Result Aggregator's HTTP processes in the running stack."""
    local = Path(os.environ.get("HULEEDU_LOCAL_DIR", ROOT / ".local"))
    stack = stack_processes(local / "run")
    return {label: stack[name] for label, name in READ_PATH.items() if name in stack}


async def compare(
    teachers: list[dict[str, object]], rate: float, workers: int, seconds: float
) -> dict[str, Measured]:
    """Open loop at `rate` and closed loop with `workers`: gateway and baseline, same run."""
    gateway = status_targets(teachers)
    stack = read_path_pids()
    async with running_baseline(InfraSettings()) as base:
        baseline = [Target(url) for url in base.item_urls()]
        random.Random(16).shuffle(baseline)
        await closed_loop(baseline, 4, 0, warmup=2)  # the fresh app's connections and pool
        app = {"baseline": base.pid}
        return {
            "gateway open": await measured(open_loop(gateway, rate, seconds), stack),
            "baseline open": await measured(open_loop(baseline, rate, seconds), app),
            "gateway closed": await measured(closed_loop(gateway, workers, seconds), stack),
            "baseline closed": await measured(closed_loop(baseline, workers, seconds), app),
        }


def ratio(numerator: float, denominator: float) -> str:
    """`numerator / denominator` to two decimals, or n/a."""
    return f"{numerator / denominator:.2f}" if denominator > 0 else "n/a"


def print_cpu(results: dict[str, Measured], rate: float) -> None:
    """CPU ms per request of each process on the read path, next to the baseline's."""
    for mode, label in (("open", f"open loop {rate:g}/s"), ("closed", "closed loop")):
        gateway = results[f"gateway {mode}"].ms_per_request()
        base = results[f"baseline {mode}"].ms_per_request().get("baseline", 0.0)
        parts = ", ".join(f"{name} {ms:.2f}" for name, ms in gateway.items())
        total = sum(gateway.values())
        print(
            f"CPU ms/request ({label}): {parts or 'stack processes not found'}; "
            f"read path {total:.2f} / baseline {base:.2f} = {ratio(total, base)}"
        )


def print_comparison(results: dict[str, Measured], rate: float) -> None:
    """The ratio lines next to the locust table, then one line per open/closed-loop run."""
    gw_max, base_max = results["gateway closed"].result.rate, results["baseline closed"].result.rate
    gw_p95, base_p95 = results["gateway open"].result.p(95), results["baseline open"].result.p(95)
    print(
        f"max req/s (closed loop)  gateway {gw_max:.0f} / baseline {base_max:.0f} = "
        f"{ratio(gw_max, base_max)} (target >= 0.5)"
    )
    print(
        f"p95 at {rate:g}/s (open loop) gateway {gw_p95:.1f} ms / baseline {base_p95:.1f} ms = "
        f"{ratio(gw_p95, base_p95)}"
    )
    print_cpu(results, rate)
    for label, measured_run in results.items():
        result = measured_run.result
        print(result.line(f"{label} {rate:g}/s" if result.mode == "open" else label))


def main() -> None:
    """Prepare teachers, run locust, then open and closed loops with the baseline; print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--batches", type=int, default=2, help="batches per teacher")
    parser.add_argument("--rate", type=float, default=150.0, help="open-loop arrivals/s")
    parser.add_argument("--workers", type=int, default=64, help="closed-loop concurrency")
    args, _ = parser.parse_known_args()
    teachers = asyncio.run(prepare(args.users, args.batches))
    with tempfile.TemporaryDirectory(prefix="huleedu-locust-") as tmp:
        teachers_file = Path(tmp) / "teachers.json"
        teachers_file.write_text(json.dumps(teachers), encoding="utf-8")
        prefix = Path(tmp) / "gateway"
        run_locust(teachers_file, args.users, args.seconds, prefix)
        loop_seconds = min(args.seconds, 20)
        results = run(lambda: compare(teachers, args.rate, args.workers, loop_seconds))
        print(
            f"gateway reads: {args.users} teachers (locust users, phases spread, ~1 request/s "
            f"each), {args.seconds}s, {args.batches} batches each"
        )
        report(Path(f"{prefix}_stats.csv"))
        print(
            f"vs baseline (FastAPI + asyncpg PK select, {GatewaySettings().http_server}), "
            f"same run, {loop_seconds}s each; gateway reads are GET /v1/batches/{{id}}"
        )
        print_comparison(results, args.rate)


if __name__ == "__main__":
    main()
