"""CPU time of processes from /proc: per-process stats, process trees, the stack's pids.

Not a benchmark itself (`make bench` runs only *_bench.py); the benchmarks import it as a
sibling module. Linux only (reads /proc/<pid>/stat).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/<pid>/stat this benchmark uses (CPU in clock ticks)."""

    pid: int
    ppid: int
    utime: int
    stime: int
    cutime: int
    cstime: int

    @property
    def ticks(self) -> int:
        """Own CPU plus that of reaped children (theirs moves here when reaped)."""
        return self.utime + self.stime + self.cutime + self.cstime


def parse_stat(text: str) -> ProcStat:
    """Parse one /proc/<pid>/stat line (the command name may hold spaces and parentheses)."""
    head, _, tail = text.rpartition(")")
    pid = int(head.split("(", 1)[0])
    # After the name: field 3 (state) is tail[0], so field n is tail[n - 3] (proc(5)).
    fields = tail.split()
    utime, stime, cutime, cstime = (int(fields[n - 3]) for n in (14, 15, 16, 17))
    return ProcStat(pid, int(fields[1]), utime, stime, cutime, cstime)


def read_all_stats(proc: Path = PROC) -> dict[int, ProcStat]:
    """Every live process's stat, by pid (processes gone while reading are skipped)."""
    stats: dict[int, ProcStat] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stats[int(entry.name)] = parse_stat((entry / "stat").read_text())
        except (OSError, ValueError, IndexError):
            continue
    return stats


def tree(root: int, stats: dict[int, ProcStat]) -> set[int]:
    """`root` and its live descendants among `stats`."""
    children: dict[int, list[int]] = {}
    for stat in stats.values():
        children.setdefault(stat.ppid, []).append(stat.pid)
    members, pending = set(), [root]
    while pending:
        pid = pending.pop()
        if pid in stats and pid not in members:
            members.add(pid)
            pending.extend(children.get(pid, []))
    return members


def tree_ticks(root: int, stats: dict[int, ProcStat]) -> int:
    """CPU ticks of `root`'s tree: each live member's own and its reaped children's."""
    return sum(stats[pid].ticks for pid in tree(root, stats))


def stack_processes(run_dir: Path) -> dict[str, int]:
    """`service-process` -> pid of every running process in the stack's manifest."""
    manifest = run_dir / "stack-manifest.jsonl"
    if manifest.exists():
        lines = manifest.read_text(encoding="utf-8").splitlines()
        pidfiles = [Path(json.loads(line)["pidfile"]) for line in lines if line.strip()]
    else:  # an older stack: every pid file in the run directory is one of its processes
        pidfiles = sorted(run_dir.glob("*.pid"))
    found: dict[str, int] = {}
    for pidfile in pidfiles:
        try:
            pid = int(pidfile.read_text().strip())
        except (OSError, ValueError):
            continue
        if (PROC / str(pid)).exists():
            found[pidfile.stem] = pid
    return found


# Infrastructure that works for every essay, and where scripts/infra keeps each one's pid.
INFRA_PIDFILES = {
    "postgresql": "postgres/data/postmaster.pid",  # first line; backends are its children
    "kafka": "kafka/kafka.pid",
    "redis": "redis/redis.pid",
    "languagetool": "languagetool/languagetool.pid",
}


def infra_processes(local_dir: Path) -> dict[str, int]:
    """`component` -> pid of each running infrastructure server started by scripts/infra."""
    found: dict[str, int] = {}
    for name, relative in INFRA_PIDFILES.items():
        try:
            pid = int((local_dir / relative).read_text().splitlines()[0].strip())
        except (OSError, ValueError, IndexError):
            continue
        if (PROC / str(pid)).exists():
            found[name] = pid
    return found


def own_cpu_seconds(pid: int, proc: Path = PROC) -> float:
    """utime + stime of one process in seconds (0.0 when it is gone)."""
    try:
        stat = parse_stat((proc / str(pid) / "stat").read_text())
    except (OSError, ValueError, IndexError):
        return 0.0
    return (stat.utime + stat.stime) / TICKS
