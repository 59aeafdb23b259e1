"""Open-loop (Poisson arrivals) and closed-loop HTTP load from one aiohttp process.

Open loop: arrivals at a fixed total rate with exponential gaps, scheduled in advance and
sent whatever the answers do, so a slow server meets the same offered load; each latency runs
from the arrival's scheduled time, so time spent queued (in the server or in this generator)
counts. Closed loop: N workers, each sending its next request when the last one answered,
gives the maximum requests/s. Both report the generator's own CPU as % of one core
(getrusage), so a saturated generator shows itself.

Not a benchmark itself (`make bench` runs only *_bench.py); the benchmarks import it as a
sibling module, and `python benchmarks/open_loop.py --url URL --rate 100` runs it alone.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp

try:  # the services' own loop when installed: the generator then costs less CPU per request
    import uvloop

    LOOP_FACTORY: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
except ImportError:  # pragma: no cover - uvloop is in the venv; plain asyncio still works
    LOOP_FACTORY = None

T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """One URL to GET with its headers (e.g. one teacher's token and batch)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class LoadResult:
    """What one load run saw: latencies of 2xx answers, other outcomes, time and CPU."""

    mode: str
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0
    cpu_seconds: float = 0.0
    # Open loop only: how late arrivals left the generator (its own queueing).
    send_lag: list[float] = field(default_factory=list)

    @property
    def ok(self) -> int:
        """Answers with a 2xx status."""
        return len(self.latencies)

    @property
    def rate(self) -> float:
        """Achieved 2xx answers per second."""
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def cpu_percent(self) -> float:
        """The generator's CPU over the run as % of one core."""
        return 100.0 * self.cpu_seconds / self.elapsed if self.elapsed > 0 else 0.0

    def p(self, pct: float) -> float:
        """Latency percentile in milliseconds (nan without answers)."""
        return percentile(self.latencies, pct) * 1000 if self.latencies else float("nan")

    def line(self, label: str) -> str:
        """One short labelled line: rate, errors, p50/p95/p99 and the generator's CPU."""
        errors = sum(self.errors.values())
        kinds = ",".join(f"{k}x{n}" for k, n in self.errors.most_common(3))
        lag = f" lag p99 {percentile(self.send_lag, 99) * 1000:.1f}ms" if self.send_lag else ""
        return (
            f"{label:<24}{self.rate:>8.1f} req/s  err {errors}{f' ({kinds})' if kinds else ''}"
            f"  p50 {self.p(50):.1f}  p95 {self.p(95):.1f}  p99 {self.p(99):.1f} ms"
            f"  gen cpu {self.cpu_percent:.0f}%{lag}"
        )


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of `values` (0 < pct <= 100)."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(round(pct / 100 * len(ordered)) - 1, 0))]


def arrival_offsets(rate: float, seconds: float, rng: random.Random) -> list[float]:
    """Poisson arrival times in [0, seconds): exponential gaps with mean 1/rate."""
    if rate <= 0 or seconds <= 0:
        return []
    offsets: list[float] = []
    at = rng.expovariate(rate)
    while at < seconds:
        offsets.append(at)
        at += rng.expovariate(rate)
    return offsets


def cpu_seconds() -> float:
    """This process's user + system CPU so far (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _get(http: aiohttp.ClientSession, target: Target) -> str | None:
    """GET the target and read its body; None on 2xx, else what went wrong."""
    try:
        async with http.get(target.url, headers=target.headers) as response:
            await response.read()
            return None if 200 <= response.status < 300 else str(response.status)
    except (aiohttp.ClientError, TimeoutError) as exc:
        return type(exc).__name__


def _session(timeout: float, connections: int) -> aiohttp.ClientSession:
    # No keep-alive cap below what the load needs: a pool limit would add client-side queueing.
    connector = aiohttp.TCPConnector(limit=connections, limit_per_host=connections)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout))


async def open_loop(
    targets: Sequence[Target],
    rate: float,
    seconds: float,
    *,
    seed: int = 1,
    request_timeout: float = 10.0,
    connections: int = 1000,
) -> LoadResult:
    """Poisson arrivals at `rate`/s for `seconds`, cycling through `targets`."""
    rng = random.Random(seed)
    offsets = arrival_offsets(rate, seconds, rng)
    result = LoadResult("open")
    loop = asyncio.get_running_loop()
    async with _session(request_timeout, connections) as http:

        async def fire(target: Target, scheduled: float) -> None:
            result.send_lag.append(loop.time() - scheduled)
            failure = await _get(http, target)
            if failure is None:
                result.latencies.append(loop.time() - scheduled)
            else:
                result.errors[failure] += 1

        cpu0, start = cpu_seconds(), loop.time()
        tasks = []
        for i, offset in enumerate(offsets):
            delay = start + offset - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(fire(targets[i % len(targets)], start + offset)))
        await asyncio.gather(*tasks)
        result.elapsed = max(loop.time() - start, seconds)
        result.cpu_seconds = cpu_seconds() - cpu0
    return result


async def closed_loop(
    targets: Sequence[Target],
    workers: int,
    seconds: float,
    *,
    warmup: float = 2.0,
    request_timeout: float = 10.0,
) -> LoadResult:
    """`workers` concurrent loops as fast as answers come, for `warmup` + `seconds`."""
    result = LoadResult("closed")
    loop = asyncio.get_running_loop()
    counter = iter(range(1 << 62))
    async with _session(request_timeout, workers) as http:
        measure_from = loop.time() + warmup
        deadline = measure_from + seconds

        async def worker() -> None:
            while (sent := loop.time()) < deadline:
                failure = await _get(http, targets[next(counter) % len(targets)])
                if sent < measure_from:
                    continue  # warm-up: connections opened, caches filled, not counted
                if failure is None:
                    result.latencies.append(loop.time() - sent)
                else:
                    result.errors[failure] += 1

        runners = [asyncio.create_task(worker()) for _ in range(workers)]
        await asyncio.sleep(max(measure_from - loop.time(), 0))
        cpu0 = cpu_seconds()
        await asyncio.gather(*runners)
        result.elapsed = loop.time() - measure_from
        result.cpu_seconds = cpu_seconds() - cpu0
    return result


def run(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run one coroutine on a fresh loop (uvloop when installed)."""
    with asyncio.Runner(loop_factory=LOOP_FACTORY) as runner:
        return runner.run(main())


def main() -> None:
    """Load one URL open-loop (`--rate`) or closed-loop (`--workers`) and print one line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--header", action="append", default=[], help="'Name: value'")
    parser.add_argument("--rate", type=float, default=100.0, help="open loop: arrivals/s")
    parser.add_argument("--workers", type=int, default=0, help="closed loop instead: workers")
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    headers = dict(h.split(":", 1) for h in args.header)
    target = [Target(args.url, {k.strip(): v.strip() for k, v in headers.items()})]
    if args.workers:
        result = run(lambda: closed_loop(target, args.workers, args.seconds))
        print(result.line(f"closed {args.workers} workers"))
    else:
        result = run(lambda: open_loop(target, args.rate, args.seconds))
        print(result.line(f"open {args.rate:g}/s"))


if __name__ == "__main__":
    main()
