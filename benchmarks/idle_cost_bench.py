"""Idle cost of the running stack: CPU seconds per service process over a quiet window.

Reads utime + stime from /proc/<pid>/stat of every process the stack's supervisor runs (the
pid files named in .local/run/stack-manifest.jsonl, as scripts/stack.sh writes them), live
descendants included (a process's workers) and the children they reaped (cutime + cstime),
at the start and end of `--seconds` (default 60). In the same window it measures two
baselines started here: a bare asyncio process waiting on nothing (the machine's floor) and
a bare aiokafka consumer idling in a group of its own (what any Kafka worker pays to stay
connected). Prints each process's CPU seconds and % of one core, the stack's total (target:
under 3 % of one core) and the ratios. scripts/bench.sh runs it before any other benchmark,
so the stack it measures is idle. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from proc_cpu import TICKS, ProcStat, read_all_stats, stack_processes, tree_ticks

ROOT = Path(__file__).resolve().parents[1]
SUPERVISOR = "supervisor (not counted)"


def start_baselines(bootstrap: str) -> dict[str, subprocess.Popen[bytes]]:
    """The two baseline processes, run from this file (`--child asyncio|kafka`)."""
    children = {}
    for kind in ("asyncio", "kafka"):
        command = [sys.executable, __file__, "--child", kind, "--bootstrap", bootstrap]
        # Our own interpreter and this file, arguments built here: nothing untrusted.
        children[f"baseline {kind}"] = subprocess.Popen(command)  # noqa: S603
    return children


async def _child_kafka(bootstrap: str) -> None:
    from aiokafka import AIOKafkaConsumer

    from common_core.events import TeacherNotificationRequestedV1
    from common_core.topics import topic_for

    # A topic the stack has; a group of its own, committing nothing, so it leaves no trace.
    consumer = AIOKafkaConsumer(
        topic_for(TeacherNotificationRequestedV1),
        bootstrap_servers=bootstrap,
        group_id=f"bench-idle-{uuid.uuid4().hex[:8]}",
        enable_auto_commit=False,
        auto_offset_reset="latest",
    )
    try:
        await consumer.start()
        async for _ in consumer:
            pass
    finally:
        await consumer.stop()


def run_child(kind: str, bootstrap: str) -> None:
    """Be one baseline process until terminated."""
    if kind == "kafka":
        asyncio.run(_child_kafka(bootstrap))
    else:
        asyncio.run(asyncio.Event().wait())


def measure(
    pids: dict[str, int], seconds: float, own_only: frozenset[str] = frozenset()
) -> dict[str, float]:
    """CPU seconds of each named process tree (of the process alone if in `own_only`)."""

    def ticks(name: str, stats: dict[int, ProcStat]) -> int:
        stat = stats[pids[name]]
        return stat.utime + stat.stime if name in own_only else tree_ticks(stat.pid, stats)

    before = read_all_stats()
    alive = [name for name, pid in pids.items() if pid in before]
    start_ticks = {name: ticks(name, before) for name in alive}
    time.sleep(seconds)
    after = read_all_stats()
    return {
        name: (ticks(name, after) - start_ticks[name]) / TICKS
        for name in alive
        if pids[name] in after
    }


def ratio(numerator: float, denominator: float) -> str:
    """`numerator / denominator` with one decimal, or why not."""
    return f"{numerator / denominator:.1f}" if denominator > 0 else "n/a (baseline 0 ticks)"


def report(used: dict[str, float], stack: list[str], seconds: float) -> None:
    """One line per process, then the stack's total and its ratios to the baselines."""
    print(f"idle cost over {seconds:g}s (CPU seconds; % of one core; tick {1 / TICKS:g}s)")
    for name in sorted(used):
        print(f"  {name:<40}{used[name]:>7.2f}s {100 * used[name] / seconds:>6.2f}%")
    total = sum(used[name] for name in stack if name in used)
    counted = sum(1 for name in stack if name in used)
    share = 100 * total / seconds
    print(
        f"stack total ({counted} processes)  {total:.2f}s  {share:.2f}% of one core (target < 3%)"
    )
    bare, kafka = used.get("baseline asyncio", 0.0), used.get("baseline kafka", 0.0)
    per_process = total / counted if counted else 0.0
    print(f"per process / bare asyncio process      {ratio(per_process, bare)}")
    print(f"per process / bare aiokafka consumer    {ratio(per_process, kafka)}")


def main() -> None:
    """Measure the idle stack and the baselines over the same window and print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    # Startup work kept out of the window: the baselines' imports and group join, and a
    # stack that bench.sh has only just started (migrations done, consumers joining).
    parser.add_argument("--settle", type=float, default=10.0, help="seconds before measuring")
    parser.add_argument("--child", choices=("asyncio", "kafka"), help=argparse.SUPPRESS)
    parser.add_argument("--bootstrap", default="", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    if args.child:
        run_child(args.child, args.bootstrap)
        return
    from huleedu_service_libs.config import InfraSettings

    local = Path(os.environ.get("HULEEDU_LOCAL_DIR", ROOT / ".local"))
    stack = stack_processes(local / "run")
    if not stack:
        print(f"idle cost: no stack process found under {local / 'run'} (make up first)")
        return
    children = start_baselines(InfraSettings().kafka_bootstrap_servers)
    try:
        time.sleep(args.settle)
        pids = dict(stack)
        for name, child in children.items():
            if child.poll() is None:
                pids[name] = child.pid
            else:  # e.g. no broker to join: say so rather than print its zero as a baseline
                print(f"{name} exited with {child.returncode} before the window; not measured")
        supervisor = local / "supervisor.pid"
        if supervisor.exists():
            # Its own CPU only: every stack process is its child.
            pids[SUPERVISOR] = int(supervisor.read_text().strip())
        used = measure(pids, args.seconds, frozenset({SUPERVISOR}))
    finally:
        for child in children.values():
            child.terminate()
            child.wait(timeout=20)
    report(used, list(stack), args.seconds)


if __name__ == "__main__":
    main()
