"""scripts/infra/env.sh's start_daemon and wait_started, which every infra server uses."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def bash(script: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run `script` after sourcing env.sh, with its .local under `tmp_path`."""
    return subprocess.run(
        ["/bin/bash", "-c", f"set -euo pipefail; source scripts/infra/env.sh; {script}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HULEEDU_LOCAL_DIR": str(tmp_path)},
        check=False,
        timeout=60,
    )


def test_a_server_that_exits_while_starting_fails_at_once_with_its_log(tmp_path: Path) -> None:
    result = bash(
        f'start_daemon {tmp_path}/x.pid {tmp_path}/x.log sh -c "echo port already in use; exit 3"; '
        f"wait_started {tmp_path}/x.pid {tmp_path}/x.log 50 Thing false",
        tmp_path,
    )

    assert result.returncode != 0
    assert "Thing exited while starting" in result.stderr
    assert "port already in use" in result.stderr
    assert "not ready after" not in result.stderr
    assert not (tmp_path / "x.pid").exists()


def test_a_server_that_becomes_ready_keeps_running_in_its_own_session(tmp_path: Path) -> None:
    marker = tmp_path / "ready"
    result = bash(
        f'start_daemon {tmp_path}/x.pid {tmp_path}/x.log sh -c "touch {marker}; exec sleep 60"; '
        f"wait_started {tmp_path}/x.pid {tmp_path}/x.log 30 Thing test -e {marker}",
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    pid = int((tmp_path / "x.pid").read_text())
    try:
        assert os.getsid(pid) == pid, "not in a session of its own"
        assert bash(f"pid_alive {tmp_path}/x.pid", tmp_path).returncode == 0
    finally:
        stopped = bash(f"stop_pid {tmp_path}/x.pid Thing", tmp_path)
    assert stopped.returncode == 0
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_server_that_never_gets_ready_fails_at_the_limit(tmp_path: Path) -> None:
    result = bash(
        f"start_daemon {tmp_path}/x.pid {tmp_path}/x.log sleep 60; "
        f"wait_started {tmp_path}/x.pid {tmp_path}/x.log 1 Thing false; ",
        tmp_path,
    )
    pid = int((tmp_path / "x.pid").read_text())
    os.kill(pid, signal.SIGKILL)

    assert result.returncode != 0
    assert "Thing not ready after 1s" in result.stderr
