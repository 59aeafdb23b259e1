"""Every process of the running stack answers its liveness and readiness probes, on the ports
its service.conf names, with the checks its kind of process has."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest

ROOT = Path(__file__).resolve().parents[2]
GATEWAY = "api_gateway_service"
WORKER_ONLY = {"spellchecker_service", "grammar_service"}
WORKER_READY = {"postgres", "kafka", "worker_loops"}
# Checks a worker has beyond WORKER_READY: the dependencies of its own work.
EXTRA_READY = {"grammar_service": {"languagetool"}}


def _processes() -> list[tuple[str, str, int]]:
    """(service, "http" or "worker", port) from every services/*/service.conf."""
    found: list[tuple[str, str, int]] = []
    for conf in sorted((ROOT / "services").glob("*/service.conf")):
        values = dict(re.findall(r"^([A-Z_]+)=(\S+)$", conf.read_text(), flags=re.M))
        service = values["SERVICE_NAME"]
        kind = "worker" if service in WORKER_ONLY else "http"
        found.append((service, kind, int(values["HTTP_PORT"])))
        if "WORKER_PORT" in values:
            found.append((service, "worker", int(values["WORKER_PORT"])))
    return found


def _expected(service: str, kind: str) -> tuple[set[str], set[str]]:
    """(liveness checks, readiness checks) of one process."""
    if service == GATEWAY:
        return (
            {"event_loop", "realtime_subscriber", "notification_bridge"},
            {"redis", "kafka", "realtime_pubsub", "notification_bridge"},
        )
    if kind == "worker":
        return {"event_loop", "worker_loops"}, WORKER_READY | EXTRA_READY.get(service, set())
    return {"event_loop"}, {"postgres"}


async def _get(http: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, Any]]:
    async with http.get(url) as response:
        return response.status, await response.json()


@pytest.mark.parametrize(("service", "kind", "port"), _processes())
async def test_live_and_ready_with_the_checks_of_the_process(
    service: str, kind: str, port: int
) -> None:
    live_checks, ready_checks = _expected(service, kind)
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
        live_status, live = await _get(http, base + "/healthz/live")
        ready_status, ready = await _get(http, base + "/healthz/ready")
        legacy_status, legacy = await _get(http, base + "/healthz")

    assert (live_status, live["status"], live["service"]) == (200, "live", service), live
    assert set(live["checks"]) == live_checks
    assert (ready_status, ready["status"]) == (200, "ready"), ready
    assert set(ready["checks"]) == ready_checks
    assert (legacy_status, legacy["status"], set(legacy["checks"])) == (200, "ready", ready_checks)
