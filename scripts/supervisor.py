"""The local stack's supervisor: starts every service process and restarts one that dies.

`scripts/stack.sh up` writes a manifest (one entry per process: command, directory, log and
pid file) and starts this program once, in a session of its own. It starts each process, and
when one exits without being asked to, starts it again after a backoff that doubles from
`--initial-backoff` to `--max-backoff` (and resets once the process stayed up a minute), as
compose's `restart: unless-stopped` does. Every restart is logged and counted in
`huleedu_supervisor_restarts_total{service,process,reason}` on `/metrics`.

A restart asked for by `stack.sh restart` (a `<pidfile>.restart` marker, then SIGTERM) is
counted with reason `requested` and happens at once. `stack.sh stop SERVICE` leaves a
`<pidfile>.hold` marker: the process stays stopped (as an operator's `docker compose stop`)
until `stack.sh start SERVICE` removes it. SIGTERM to the supervisor stops every
process it supervises (TERM, then KILL after the grace period) and then itself.

Processes survive a supervisor that is killed (each has its own session); a new supervisor
adopts the ones whose pid files are still alive and watches them by pid.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from prometheus_client import Counter, Gauge, start_http_server

RESTARTS = Counter(
    "huleedu_supervisor_restarts",
    "Service processes started again by the local supervisor.",
    ["service", "process", "reason"],
)
UP = Gauge("huleedu_supervisor_process_up", "1 while the process runs.", ["service", "process"])
STARTED = Gauge(
    "huleedu_supervisor_process_start_time_seconds",
    "When the process was last started (Unix time).",
    ["service", "process"],
)
STABLE_AFTER_SECONDS = 60.0
POLL_SECONDS = 0.25


def log(event: str, **fields: object) -> None:
    """One JSON line on stdout (the supervisor's log file)."""
    line = {"timestamp": datetime.now(UTC).isoformat(), "event": event, **fields}
    print(json.dumps(line, default=str), flush=True)


@dataclass
class Supervised:
    """One service process: how to start it and what the supervisor knows of it now."""

    service: str
    process: str
    argv: list[str]
    cwd: str
    log_path: str
    pidfile: str
    env: dict[str, str] = field(default_factory=dict)
    child: subprocess.Popen[bytes] | None = None
    pid: int | None = None
    started_at: float = 0.0
    backoff: float = 0.0
    restart_at: float | None = None
    held: bool = False

    @property
    def marker(self) -> Path:
        """The file `stack.sh restart` leaves to say the next exit was asked for."""
        return Path(f"{self.pidfile}.restart")

    @property
    def hold(self) -> Path:
        """The file `stack.sh stop SERVICE` leaves: stay stopped until it is gone."""
        return Path(f"{self.pidfile}.hold")

    def alive(self) -> bool:
        """True while the process runs (reaps it when it is our child)."""
        if self.child is not None:
            return self.child.poll() is None
        if self.pid is None:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class Supervisor:
    """Starts, watches and restarts the manifest's processes until told to stop."""

    def __init__(self, entries: list[Supervised], initial: float, maximum: float, grace: float):
        self._entries = entries
        self._initial = initial
        self._maximum = maximum
        self._grace = grace
        self._stopping = False

    def request_stop(self, *_: object) -> None:
        """Signal handler: stop the processes and leave."""
        self._stopping = True

    def run(self) -> None:
        """Adopt or start every process, then watch them until stopped."""
        for entry in self._entries:
            if not self._adopt(entry):
                self._start(entry, reason=None)
        while not self._stopping:
            now = time.monotonic()
            for entry in self._entries:
                self._tend(entry, now)
            time.sleep(POLL_SECONDS)
        self._stop_all()

    def _adopt(self, entry: Supervised) -> bool:
        try:
            pid = int(Path(entry.pidfile).read_text().strip())
        except (OSError, ValueError):
            return False
        entry.pid, entry.child = pid, None
        if not entry.alive():
            entry.pid = None
            return False
        entry.started_at = time.monotonic()
        UP.labels(entry.service, entry.process).set(1)
        log("supervisor.adopted", service=entry.service, process=entry.process, pid=pid)
        return True

    def _start(self, entry: Supervised, reason: str | None) -> None:
        with open(entry.log_path, "ab") as out:
            entry.child = subprocess.Popen(  # noqa: S603 - argv comes from our service.conf
                entry.argv,
                cwd=entry.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env={**os.environ, **entry.env},
                start_new_session=True,
            )
        entry.pid = entry.child.pid
        Path(entry.pidfile).write_text(f"{entry.pid}\n")
        entry.started_at = time.monotonic()
        entry.restart_at = None
        UP.labels(entry.service, entry.process).set(1)
        STARTED.labels(entry.service, entry.process).set(time.time())
        if reason is not None:
            RESTARTS.labels(entry.service, entry.process, reason).inc()
        log(
            "supervisor.started",
            service=entry.service,
            process=entry.process,
            pid=entry.pid,
            reason=reason or "initial",
        )

    def _tend(self, entry: Supervised, now: float) -> None:
        if entry.held:
            if not entry.hold.exists():
                entry.held = False
                self._start(entry, reason="requested")
            return
        if entry.restart_at is not None:
            if now >= entry.restart_at:
                self._start(entry, reason="crashed")
            return
        if entry.alive():
            if now - entry.started_at >= STABLE_AFTER_SECONDS:
                entry.backoff = 0.0
            return
        UP.labels(entry.service, entry.process).set(0)
        code = entry.child.returncode if entry.child is not None else None
        if entry.hold.exists():
            entry.held = True
            Path(entry.pidfile).unlink(missing_ok=True)
            log("supervisor.held", service=entry.service, process=entry.process)
            return
        if entry.marker.exists():
            entry.marker.unlink(missing_ok=True)
            log("supervisor.restart_requested", service=entry.service, process=entry.process)
            self._start(entry, reason="requested")
            return
        entry.backoff = min(self._maximum, max(self._initial, entry.backoff * 2))
        entry.restart_at = now + entry.backoff
        log(
            "supervisor.process_exited",
            service=entry.service,
            process=entry.process,
            pid=entry.pid,
            exit_code=code,
            restart_in_seconds=round(entry.backoff, 2),
        )

    def _stop_all(self) -> None:
        running = [e for e in self._entries if e.restart_at is None and e.alive()]
        for entry in running:
            if entry.pid is not None:
                os.kill(entry.pid, signal.SIGTERM)
        deadline = time.monotonic() + self._grace
        while any(e.alive() for e in running) and time.monotonic() < deadline:
            time.sleep(0.1)
        for entry in running:
            if entry.alive() and entry.pid is not None:
                os.kill(entry.pid, signal.SIGKILL)
                log("supervisor.killed", service=entry.service, process=entry.process)
        for entry in self._entries:
            if entry.child is not None:
                entry.child.wait()
            Path(entry.pidfile).unlink(missing_ok=True)
            UP.labels(entry.service, entry.process).set(0)
        log("supervisor.stopped", processes=len(self._entries))


def load_manifest(path: Path) -> list[Supervised]:
    """The processes `stack.sh` listed, one JSON object per line."""
    entries = []
    for line in path.read_text().splitlines():
        if line.strip():
            item = json.loads(line)
            entries.append(
                Supervised(
                    service=item["service"],
                    process=item["process"],
                    argv=item["argv"],
                    cwd=item["cwd"],
                    log_path=item["log"],
                    pidfile=item["pidfile"],
                    env=item.get("env", {}),
                )
            )
    return entries


def main(argv: list[str] | None = None) -> int:
    """Supervise the manifest's processes until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--metrics-port", type=int, default=9190)
    parser.add_argument("--initial-backoff", type=float, default=0.5)
    parser.add_argument("--max-backoff", type=float, default=30.0)
    parser.add_argument("--grace", type=float, default=30.0)
    args = parser.parse_args(argv)
    start_http_server(args.metrics_port, addr="127.0.0.1")
    supervisor = Supervisor(
        load_manifest(args.manifest), args.initial_backoff, args.max_backoff, args.grace
    )
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    signal.signal(signal.SIGINT, supervisor.request_stop)
    log("supervisor.running", pid=os.getpid(), metrics_port=args.metrics_port)
    supervisor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
