"""The benchmarks' pure parts: Poisson arrivals, percentiles, load summaries, /proc parsing."""

from __future__ import annotations

import itertools
import random
from typing import Any

import pytest

from .scripts_loader import load_script

pytestmark = pytest.mark.unit

open_loop: Any = load_script("benchmarks/open_loop.py")
proc_cpu: Any = load_script("benchmarks/proc_cpu.py")

# A real /proc/<pid>/stat line whose command name holds a space and a parenthesis.
STAT = (
    "4242 (python -m x) y) S 4000 4242 4242 0 -1 4194560 9000 0 0 0 "
    "1500 320 70 11 20 0 3 0 123456 1000000 5000 18446744073709551615"
)


def test_arrivals_are_poisson_at_the_rate() -> None:
    offsets = open_loop.arrival_offsets(150.0, 200.0, random.Random(3))
    gaps = [b - a for a, b in itertools.pairwise(offsets)]
    assert offsets == sorted(offsets)
    assert offsets[0] > 0
    assert offsets[-1] < 200.0
    assert len(offsets) / 200.0 == pytest.approx(150.0, rel=0.03)
    # Exponential gaps: the standard deviation equals the mean (1/rate).
    mean = sum(gaps) / len(gaps)
    spread = (sum((g - mean) ** 2 for g in gaps) / len(gaps)) ** 0.5
    assert mean == pytest.approx(1 / 150.0, rel=0.03)
    assert spread == pytest.approx(mean, rel=0.05)


def test_arrivals_depend_only_on_the_seed() -> None:
    first = open_loop.arrival_offsets(50.0, 10.0, random.Random(1))
    assert first == open_loop.arrival_offsets(50.0, 10.0, random.Random(1))
    assert open_loop.arrival_offsets(0.0, 10.0, random.Random(1)) == []


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert open_loop.percentile(values, 50) == 50.0
    assert open_loop.percentile(values, 95) == 95.0
    assert open_loop.percentile(values, 100) == 100.0
    assert open_loop.percentile([7.0], 99) == 7.0
    with pytest.raises(ValueError, match="no values"):
        open_loop.percentile([], 50)


def test_load_result_line_reports_rate_errors_and_cpu() -> None:
    result = open_loop.LoadResult("open", latencies=[0.010] * 90, elapsed=10.0, cpu_seconds=2.5)
    result.errors["429"] += 4
    assert result.rate == 9.0
    assert result.cpu_percent == 25.0
    line = result.line("gateway")
    assert "9.0 req/s" in line
    assert "err 4 (429x4)" in line
    assert "p95 10.0" in line


def test_stat_line_parses_cpu_fields_after_the_name() -> None:
    stat = proc_cpu.parse_stat(STAT)
    assert (stat.pid, stat.ppid) == (4242, 4000)
    assert (stat.utime, stat.stime, stat.cutime, stat.cstime) == (1500, 320, 70, 11)
    assert stat.ticks == 1901


def test_tree_counts_live_descendants_once() -> None:
    def stat(pid: int, ppid: int, utime: int) -> Any:
        return proc_cpu.ProcStat(pid, ppid, utime, 0, 0, 0)

    stats = {s.pid: s for s in (stat(1, 0, 5), stat(10, 1, 7), stat(11, 10, 3), stat(20, 1, 100))}
    assert proc_cpu.tree(10, stats) == {10, 11}
    assert proc_cpu.tree_ticks(10, stats) == 10
    assert proc_cpu.tree_ticks(99, stats) == 0
