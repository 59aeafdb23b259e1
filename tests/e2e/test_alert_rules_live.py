"""The alert and recording rules in the running stack's Prometheus: every one loaded and
evaluating without error, and teachers' reads measurable by the gateway latency SLO."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from huleedu_testing.gateway_client import GatewayClient

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "observability" / "prometheus" / "rules"
PROMETHEUS = "http://127.0.0.1:9090"
SLO_5M = "huleedu:gateway_read_latency_slo_errors:ratio_rate5m"


def rules_in_files() -> set[tuple[str, str]]:
    """(type, name) of every rule in observability/prometheus/rules, as Prometheus names them."""
    found = set()
    for path in RULES_DIR.glob("*.yml"):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                found.add(
                    ("alerting", rule["alert"])
                    if "alert" in rule
                    else ("recording", rule["record"])
                )
    return found


async def prometheus(http: aiohttp.ClientSession, path: str, **params: str) -> Any:
    """The `data` of a Prometheus API answer."""
    async with http.get(f"{PROMETHEUS}{path}", params=params) as response:
        response.raise_for_status()
        body = await response.json()
    assert body["status"] == "success", body
    return body["data"]


@pytest.fixture
async def http() -> Any:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        yield session


async def test_every_rule_is_loaded_and_evaluates_without_error(
    http: aiohttp.ClientSession, stack: Any
) -> None:
    async def evaluated() -> list[dict[str, Any]] | None:
        groups = (await prometheus(http, "/api/v1/rules"))["groups"]
        loaded = [rule for group in groups for rule in group["rules"]]
        # A rule not evaluated yet reports the zero time.
        return None if any(r["lastEvaluation"].startswith("0001") for r in loaded) else loaded

    loaded = await stack.wait_for(evaluated, seconds=60, what="every rule evaluated once")
    assert {(rule["type"], rule["name"]) for rule in loaded} == rules_in_files()
    failing = [(rule["name"], rule.get("lastError")) for rule in loaded if rule["health"] != "ok"]
    assert not failing
    # Every alert's summary names what teachers lose through this series.
    impact = await prometheus(http, "/api/v1/query", query="huleedu:service_teacher_impact:info")
    stack_services = {
        line.split("=", 1)[1].strip()
        for conf in ROOT.glob("services/*/service.conf")
        for line in conf.read_text().splitlines()
        if line.startswith("SERVICE_NAME=")
    }
    assert {r["metric"]["service"] for r in impact["result"]} == stack_services


async def test_teachers_reads_feed_the_gateway_latency_slo(
    http: aiohttp.ClientSession, teacher: GatewayClient, stack: Any
) -> None:
    for _ in range(10):
        await teacher.expect(200, "GET", "/v1/batches")

    async def threshold_bucket() -> Any:
        query = (
            'huleedu_http_request_duration_seconds_bucket{service="api_gateway_service",'
            'method="GET",route="/v1/batches",le="0.3"}'
        )
        return (await prometheus(http, "/api/v1/query", query=query))["result"]

    await stack.wait_for(threshold_bucket, seconds=90, what="the gateway's le=0.3 bucket scraped")

    async def slo_ratio() -> list[Any]:
        # The ratio is 0/0 (NaN) until the counter moves between two scrapes, so the teacher
        # keeps reading while we wait: reads that all landed before one scrape never count.
        await teacher.expect(200, "GET", "/v1/batches")
        result = (await prometheus(http, "/api/v1/query", query=SLO_5M))["result"]
        return [r for r in result if r["value"][1] not in ("NaN", "+Inf", "-Inf")]

    (sample,) = await stack.wait_for(
        slo_ratio, seconds=120, what=f"{SLO_5M} to have a value", poll=2.0
    )
    assert 0.0 <= float(sample["value"][1]) <= 1.0
