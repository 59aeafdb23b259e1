"""A local stack heals itself: a SIGKILLed worker is started again by the supervisor."""

from __future__ import annotations

import os

import aiohttp
import pytest

from .conftest import RUN_DIR, kill_process, wait_for

pytestmark = pytest.mark.e2e

SUPERVISOR_METRICS = f"http://127.0.0.1:{os.environ.get('HULEEDU_SUPERVISOR_PORT', '9190')}/metrics"
ELS_WORKER_HEALTH = "http://127.0.0.1:6002/healthz"


async def crash_restarts(http: aiohttp.ClientSession, service: str) -> float:
    """huleedu_supervisor_restarts_total{reason="crashed"} of the service's worker."""
    async with http.get(SUPERVISOR_METRICS) as resp:
        body = await resp.text()
    prefix = "huleedu_supervisor_restarts_total{"
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line.startswith(prefix)
        and f'service="{service}"' in line
        and 'process="worker"' in line
        and 'reason="crashed"' in line
    )


async def test_a_killed_worker_is_back_by_itself(gateway_http: aiohttp.ClientSession) -> None:
    http = gateway_http
    service = "essay_lifecycle_service"
    before = await crash_restarts(http, service)

    killed = kill_process(service, "worker")

    def new_pid() -> int | None:
        text = (RUN_DIR / f"{service}-worker.pid").read_text().strip()
        return int(text) if text and int(text) != killed else None

    async def restarted() -> bool:
        try:
            pid = new_pid()
        except (OSError, ValueError):
            return False
        if pid is None:
            return False
        try:
            async with http.get(ELS_WORKER_HEALTH) as resp:
                return resp.status == 200
        except aiohttp.ClientError:
            return False

    # The bound: back by itself within 10 s (first restart after 0.5 s, then startup).
    await wait_for(restarted, seconds=10, what="the worker started again and healthy")
    assert await crash_restarts(http, service) == before + 1
