"""A private Kafka broker for tests that must stop and start a broker (outage tests).

It runs through the same scripts/infra/kafka.sh as the shared broker, on its own ports and
data directory, so stopping it never disturbs other tests or a developer's running stack.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[4]
KAFKA_SCRIPT = REPO_ROOT / "scripts" / "infra" / "kafka.sh"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateKafka:
    """Start, stop and restart a single-node KRaft broker in `workdir`."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.controller_port = _free_port()
        self.bootstrap_servers = f"127.0.0.1:{self.port}"
        self._env = {
            **os.environ,
            "HULEEDU_KAFKA_DIR": str(workdir / "kafka"),
            "HULEEDU_LOG_DIR": str(workdir / "logs"),
            "HULEEDU_KAFKA_PORT": str(self.port),
            "HULEEDU_KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "HULEEDU_KAFKA_HEAP": "512m",
        }

    def _run(self, action: str) -> None:
        subprocess.run(  # noqa: S603 - our own script, fixed arguments
            ["/bin/bash", str(KAFKA_SCRIPT), action], env=self._env, check=True, timeout=180
        )

    def start(self) -> None:
        """Start the broker and wait until it serves metadata."""
        self._run("up")

    def stop(self) -> None:
        """Stop the broker (SIGTERM, then SIGKILL after 30 s)."""
        self._run("down")
