"""The operators' console on the running stack: every target scraped, a down process paged.

Prometheus, Alertmanager and the alert receiver are the ones `scripts/infra/infra.sh up`
started (under `make test` with the shorter intervals of scripts/ensure_running.sh).
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = "http://127.0.0.1:9090"
ALERTMANAGER = "http://127.0.0.1:9093"
RECEIVER = "http://127.0.0.1:9095"
SERVICE = "content_service"
ALERT = "ServiceProcessDown"


def seconds(duration: str) -> float:
    """A Prometheus duration such as 15s, 1m or 1m30s, in seconds."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    total, number = 0.0, ""
    rest = duration
    while rest:
        if rest[0].isdigit():
            number += rest[0]
            rest = rest[1:]
            continue
        unit = "ms" if rest.startswith("ms") else rest[0]
        total += float(number) * units[unit]
        number, rest = "", rest[len(unit) :]
    return total


async def get_json(http: aiohttp.ClientSession, url: str) -> Any:
    async with http.get(url) as response:
        response.raise_for_status()
        return await response.json()


def stack_sh(command: str) -> None:
    subprocess.run(
        ["/bin/bash", str(ROOT / "scripts" / "stack.sh"), command, SERVICE],
        check=True,
        timeout=180,
    )


@pytest.fixture
async def http() -> Any:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


async def test_prometheus_scrapes_every_target_and_every_one_is_up(
    http: aiohttp.ClientSession, stack: Any
) -> None:
    config = yaml.safe_load((ROOT / "prometheus.yml").read_text())
    configured = {
        (scrape["job_name"], target)
        for scrape in config["scrape_configs"]
        for group in scrape["static_configs"]
        for target in group["targets"]
    }

    async def all_up() -> list[dict[str, Any]] | None:
        body = await get_json(http, f"{PROMETHEUS}/api/v1/targets?state=active")
        targets = body["data"]["activeTargets"]
        down = [t for t in targets if t["health"] != "up"]
        return None if down else targets

    # The first scrape of a target that just started can lie one interval away.
    targets = await stack.wait_for(all_up, seconds=60, what="every target up")
    assert {(t["labels"]["job"], t["labels"]["instance"]) for t in targets} == configured
    services = {
        (t["labels"]["service"], t["labels"]["process"])
        for t in targets
        if t["labels"]["job"] == "huleedu"
    }
    assert (SERVICE, "http") in services
    for exporter_up in ("pg_up", "redis_up"):
        body = await get_json(http, f"{PROMETHEUS}/api/v1/query?query={exporter_up}")
        assert [r["value"][1] for r in body["data"]["result"]] == ["1"], exporter_up


async def received(
    http: aiohttp.ClientSession, status: str, since: datetime
) -> dict[str, Any] | None:
    """The receiver's first record of our alert with `status` that arrived after `since`."""
    query = f"alertname={ALERT}&service={SERVICE}&status={status}"
    body = await get_json(http, f"{RECEIVER}/alerts?{query}")
    after = [r for r in body["alerts"] if datetime.fromisoformat(r["receivedAt"]) >= since]
    return after[-1] if after else None


async def alert_timing(http: aiohttp.ClientSession) -> tuple[float, float]:
    """(the rule's for:, the evaluation interval) from the live Prometheus, in seconds.

    Also refuses settings under which the bound cannot hold: the stopped process is seen at
    the next scrape, the rule becomes pending at the next evaluation, fires `for:` later, and
    Alertmanager waits group_wait, so scrape interval + group_wait must fit in one evaluation
    interval (make test's Prometheus: 2 s + 1 s in 5 s).
    """
    rules = await get_json(http, f"{PROMETHEUS}/api/v1/rules?type=alert")
    (group, rule) = next(
        (g, r) for g in rules["data"]["groups"] for r in g["rules"] if r["name"] == ALERT
    )
    status = await get_json(http, f"{PROMETHEUS}/api/v1/status/config")
    scrape = seconds(yaml.safe_load(status["data"]["yaml"])["global"]["scrape_interval"])
    manager = await get_json(http, f"{ALERTMANAGER}/api/v2/status")
    group_wait = seconds(yaml.safe_load(manager["config"]["original"])["route"]["group_wait"])
    evaluation = float(group["interval"])
    assert scrape + group_wait <= evaluation, (
        f"scrape {scrape}s + group_wait {group_wait}s exceed one evaluation interval "
        f"({evaluation}s): restart Prometheus and Alertmanager with make test's settings "
        "(scripts/ensure_running.sh) to check the bound"
    )
    return float(rule["duration"]), evaluation


async def test_a_stopped_process_pages_within_for_plus_two_evaluations_and_clears(
    http: aiohttp.ClientSession, stack: Any
) -> None:
    hold, evaluation = await alert_timing(http)
    bound = timedelta(seconds=hold + 2 * evaluation)

    stack_sh("stop")
    try:
        stopped = datetime.now(UTC)
        firing = await stack.wait_for(
            lambda: received(http, "firing", stopped),
            seconds=bound.total_seconds() + 30,
            what=f"{ALERT} for {SERVICE} at the receiver",
            poll=0.2,
        )
    finally:
        stack_sh("start")
    started = datetime.now(UTC)

    latency = datetime.fromisoformat(firing["receivedAt"]) - stopped
    print(f"{ALERT} reached the receiver {latency.total_seconds():.1f}s after the stop")
    assert latency <= bound, f"{latency} > for {hold}s + 2 x {evaluation}s"
    assert firing["labels"]["process"] == "http"
    assert firing["labels"]["severity"] == "critical"
    assert firing["annotations"]["summary"]
    assert firing["annotations"]["runbook_url"]

    resolved = await stack.wait_for(
        lambda: received(http, "resolved", started),
        seconds=bound.total_seconds() + 60,
        what=f"{ALERT} resolved at the receiver",
        poll=0.2,
    )
    assert resolved["fingerprint"] == firing["fingerprint"]
