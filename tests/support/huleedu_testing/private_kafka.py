"""A private Kafka broker for tests that must stop and start a broker (outage tests).

It runs through the same scripts/infra/kafka.sh as the shared broker, on its own ports and
data directory, so stopping it never disturbs other tests or a developer's running stack.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from huleedu_testing.servers import free_port_below_ephemeral

REPO_ROOT = Path(__file__).resolve().parents[3]
KAFKA_SCRIPT = REPO_ROOT / "scripts" / "infra" / "kafka.sh"


class PrivateKafka:
    """Start, stop and restart a single-node KRaft broker in `workdir`."""

    def __init__(self, workdir: Path) -> None:
        # Below the ephemeral range, as our real ports are: the broker must bind them again
        # when a test restarts it while clients keep reconnecting.
        self.port = free_port_below_ephemeral()
        self.controller_port = free_port_below_ephemeral()
        self.bootstrap_servers = f"127.0.0.1:{self.port}"
        self._env = {
            **os.environ,
            "HULEEDU_KAFKA_DIR": str(workdir / "kafka"),
            "HULEEDU_LOG_DIR": str(workdir / "logs"),
            "HULEEDU_KAFKA_PORT": str(self.port),
            "HULEEDU_KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "HULEEDU_KAFKA_HEAP": "512m",
        }

    @property
    def environment(self) -> dict[str, str]:
        """The environment kafka.sh runs with for this broker (own ports, data and logs)."""
        return dict(self._env)

    def _run(self, action: str) -> None:
        subprocess.run(
            ["/bin/bash", str(KAFKA_SCRIPT), action], env=self._env, check=True, timeout=180
        )

    def start(self) -> None:
        """Start the broker and wait until it serves metadata."""
        self._run("up")

    def stop(self) -> None:
        """Stop the broker (SIGTERM, then SIGKILL after 30 s)."""
        self._run("down")
