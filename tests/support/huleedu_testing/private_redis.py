"""A private Redis server for tests that stop and start Redis (outage tests)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from huleedu_testing.servers import free_port_below_ephemeral

__all__ = ["PrivateRedis"]

_START_TIMEOUT_SECONDS = 30.0


def _binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found; install Debian's redis-server (make install)")
    return path


class PrivateRedis:
    """redis-server without persistence on a free port below the ephemeral range."""

    def __init__(self) -> None:
        self.port = free_port_below_ephemeral()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._root = Path(tempfile.mkdtemp(prefix="huleedu-private-redis-"))
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        if self._process is not None and self._process.poll() is None:
            return
        self._process = subprocess.Popen(
            [
                *(_binary("redis-server"), "--bind", "127.0.0.1", "--port", str(self.port)),
                *("--save", "", "--appendonly", "no", "--dir", str(self._root)),
                *("--logfile", str(self._root / "redis.log")),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + _START_TIMEOUT_SECONDS
        while not self._answers():
            if self._process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self._root / 'redis.log'}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"private Redis on {self.port} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        """Kill the server (by its own pid) and wait for it to exit."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=30)

    def remove(self) -> None:
        """Stop the server and delete its directory."""
        self.stop()
        shutil.rmtree(self._root, ignore_errors=True)

    def _answers(self) -> bool:
        answer = subprocess.run(
            [_binary("redis-cli"), "-p", str(self.port), "ping"], capture_output=True, check=False
        )
        return answer.stdout.strip() == b"PONG"
