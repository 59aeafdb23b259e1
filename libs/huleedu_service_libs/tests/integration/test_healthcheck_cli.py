"""`python -m huleedu_service_libs.healthcheck` against a served app: 0 only for a 200."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import pytest
from dishka import make_async_container

from huleedu_service_libs.config import ServiceSettings
from huleedu_service_libs.healthcheck import main
from huleedu_service_libs.http import create_quart_app
from huleedu_service_libs.observability import HealthCheck
from huleedu_testing.servers import free_port_below_ephemeral, serve_in_background

pytestmark = pytest.mark.integration


async def test_exit_codes_follow_the_probes() -> None:
    dependency_up = True

    async def dependency() -> None:
        if not dependency_up:
            raise ConnectionRefusedError("down")

    settings = ServiceSettings(service_name="healthcheck-cli-test")
    app = create_quart_app(
        settings, make_async_container(), readiness_checks=[HealthCheck("db", dependency)]
    )
    async with serve_in_background(app, settings) as url:
        port = url.rsplit(":", 1)[1]
        assert await asyncio.to_thread(main, [port, "live"]) == 0
        assert await asyncio.to_thread(main, [port, "ready"]) == 0
        assert await asyncio.to_thread(main, [port]) == 0
        dependency_up = False
        assert await asyncio.to_thread(main, [port, "ready"]) == 1
        assert await asyncio.to_thread(main, [port, "live"]) == 0
        # As a container runs it: its own process, the exit status is all it reports.
        probe = [sys.executable, "-m", "huleedu_service_libs.healthcheck", port, "ready"]
        finished = await asyncio.to_thread(subprocess.run, probe, capture_output=True, check=False)
        assert finished.returncode == 1
        assert b'"unready"' in finished.stderr


def test_nothing_listening_and_bad_arguments() -> None:
    assert main([str(free_port_below_ephemeral()), "live"]) == 1
    assert main(["8001", "sideways"]) == 2
    assert main([]) == 2
