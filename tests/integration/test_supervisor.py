"""The local stack's supervisor restarts a process that dies, and stops everything on TERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from huleedu_testing.servers import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(600)"]


def wait_until(check: Callable[[], bool], what: str, seconds: float = 15.0) -> None:
    """Poll `check`; fail with `what` when it never holds (a bound, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Stack:
    """A supervisor over two sleeping processes, in a temporary run directory."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = free_port()
        manifest = tmp / "manifest.jsonl"
        manifest.write_text(
            "\n".join(
                json.dumps(
                    {
                        "service": "demo_service",
                        "process": process,
                        "argv": SLEEPER,
                        "cwd": str(tmp),
                        "log": str(tmp / f"{process}.log"),
                        "pidfile": str(self.pidfile(process)),
                    }
                )
                for process in ("http", "worker")
            )
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "scripts" / "supervisor.py"),
                "--manifest",
                str(manifest),
                "--metrics-port",
                str(self.port),
                "--initial-backoff",
                "0.2",
                "--grace",
                "5",
            ],
            stdout=(tmp / "supervisor.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for process in ("http", "worker"):
            wait_until(lambda p=process: self.pid(p) is not None, f"{process} started")

    def pidfile(self, process: str) -> Path:
        return self.tmp / f"demo_service-{process}.pid"

    def pid(self, process: str) -> int | None:
        try:
            return int(self.pidfile(process).read_text())
        except (OSError, ValueError):
            return None

    def restarts(self, reason: str) -> float:
        body = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics").read().decode()
        total = 0.0
        for line in body.splitlines():
            if (
                line.startswith("huleedu_supervisor_restarts_total{")
                and f'reason="{reason}"' in line
            ):
                total += float(line.rsplit(" ", 1)[1])
        return total

    def log_events(self) -> list[str]:
        lines = (self.tmp / "supervisor.log").read_text().splitlines()
        return [json.loads(line)["event"] for line in lines if line.startswith("{")]


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    started = Stack(tmp_path)
    yield started
    if started.proc.poll() is None:
        started.proc.send_signal(signal.SIGTERM)
        started.proc.wait(timeout=30)


def test_a_killed_process_is_started_again_logged_and_counted(stack: Stack) -> None:
    victim = stack.pid("worker")
    assert victim is not None
    os.kill(victim, signal.SIGKILL)

    wait_until(lambda: stack.pid("worker") not in (None, victim), "the worker's new pid")
    new = stack.pid("worker")
    assert new is not None
    assert alive(new)
    wait_until(lambda: stack.restarts("crashed") == 1, "the restart counted")
    assert "supervisor.process_exited" in stack.log_events()
    other = stack.pid("http")
    assert other is not None
    assert alive(other), "the other process runs on"


def test_a_requested_restart_is_immediate_and_counted_apart(stack: Stack) -> None:
    old = stack.pid("http")
    assert old is not None
    Path(f"{stack.pidfile('http')}.restart").touch()
    os.kill(old, signal.SIGTERM)

    wait_until(lambda: stack.pid("http") not in (None, old), "the http process again")
    wait_until(lambda: stack.restarts("requested") == 1, "the requested restart counted")
    assert stack.restarts("crashed") == 0
    assert not Path(f"{stack.pidfile('http')}.restart").exists()


def test_terminating_the_supervisor_stops_every_process_and_removes_pid_files(
    stack: Stack,
) -> None:
    pids = [stack.pid("http"), stack.pid("worker")]

    stack.proc.send_signal(signal.SIGTERM)
    assert stack.proc.wait(timeout=30) == 0

    assert not any(alive(pid) for pid in pids if pid is not None)
    assert stack.pid("http") is None
    assert stack.pid("worker") is None


def test_a_new_supervisor_adopts_processes_that_outlived_the_old_one(tmp_path: Path) -> None:
    first = Stack(tmp_path)
    survivor = first.pid("worker")
    first.proc.send_signal(signal.SIGKILL)
    first.proc.wait(timeout=10)
    assert survivor is not None
    assert alive(survivor), "processes have sessions of their own"

    second = Stack(tmp_path)
    try:
        assert second.pid("worker") == survivor, "adopted, not started twice"
        os.kill(survivor, signal.SIGKILL)
        wait_until(lambda: second.pid("worker") not in (None, survivor), "adopted one restarted")
    finally:
        second.proc.send_signal(signal.SIGTERM)
        second.proc.wait(timeout=30)
    assert not alive(survivor)


def test_a_held_process_stays_stopped_until_the_hold_is_lifted(stack: Stack) -> None:
    old = stack.pid("worker")
    assert old is not None
    hold = Path(f"{stack.pidfile('worker')}.hold")
    hold.touch()
    os.kill(old, signal.SIGTERM)
    wait_until(lambda: stack.pid("worker") is None, "the held worker's pid file removed")
    wait_until(lambda: "supervisor.held" in stack.log_events(), "the hold logged")
    assert stack.restarts("crashed") == 0

    hold.unlink()

    wait_until(lambda: stack.pid("worker") not in (None, old), "the worker started again")
