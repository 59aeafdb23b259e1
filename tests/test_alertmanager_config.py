"""alertmanager.yml is valid, routes by severity, and names only alerts the rules define."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "observability" / "alertmanager" / "alertmanager.yml"
RULES_DIR = ROOT / "observability" / "prometheus" / "rules"
SEVERITIES = ("critical", "warning", "info")
LOCAL = "local-alert-receiver"


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["amtool", *args], cwd=ROOT, capture_output=True, text=True, check=False, timeout=30
    )


def route_for(*labels: str) -> str:
    """The receiver Alertmanager picks for an alert with `labels` (name=value)."""
    result = amtool("config", "routes", "test", f"--config.file={CONFIG}", *labels)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def alerting_rules() -> list[dict[str, Any]]:
    rules = []
    for path in sorted(RULES_DIR.glob("*.yml")):
        for group in yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]:
            rules += [rule for rule in group["rules"] if "alert" in rule]
    assert rules, "no alerting rules under observability/prometheus/rules"
    return rules


def test_amtool_accepts_the_config() -> None:
    result = amtool("check-config", str(CONFIG))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@pytest.mark.parametrize("severity", SEVERITIES)
def test_every_local_alert_reaches_the_local_receiver(severity: str) -> None:
    assert route_for(f"severity={severity}", "alertname=Any", "service=file_service") == LOCAL


@pytest.mark.parametrize(
    ("severity", "receiver"),
    [
        ("critical", "production-pager"),
        ("warning", "production-slack"),
        ("info", "production-email"),
    ],
)
def test_production_alerts_route_by_severity_to_production_receivers(
    severity: str, receiver: str
) -> None:
    assert route_for("environment=production", f"severity={severity}") == receiver


def test_repeat_intervals_shorten_with_severity(config: dict[str, Any]) -> None:
    local = {
        route["matchers"][0]: route["repeat_interval"]
        for route in config["route"]["routes"]
        if route["receiver"] == LOCAL
    }
    assert local == {
        'severity="critical"': "1h",
        'severity="warning"': "4h",
        'severity="info"': "24h",
    }


def test_grouped_by_service_and_alert(config: dict[str, Any]) -> None:
    assert config["route"]["group_by"] == ["alertname", "service"]


def test_the_local_receiver_is_the_alert_receiver_with_resolved_notifications(
    config: dict[str, Any],
) -> None:
    port = subprocess.run(
        ["/bin/bash", "-c", 'source scripts/infra/env.sh; echo "$ALERT_RECEIVER_PORT"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (local,) = [r for r in config["receivers"] if r["name"] == LOCAL]
    (webhook,) = local["webhook_configs"]
    assert webhook["url"] == f"http://127.0.0.1:{port}/alerts"
    assert webhook["send_resolved"] is True


def test_every_alert_has_a_severity_the_routes_know(alerting_rules: list[dict[str, Any]]) -> None:
    for rule in alerting_rules:
        assert rule.get("labels", {}).get("severity") in SEVERITIES, rule["alert"]


def test_inhibition_names_only_alerts_the_rules_define(
    config: dict[str, Any], alerting_rules: list[dict[str, Any]]
) -> None:
    defined = {rule["alert"] for rule in alerting_rules}
    named: set[str] = set()
    for rule in config["inhibit_rules"]:
        for matcher in rule["source_matchers"] + rule["target_matchers"]:
            match = re.fullmatch(r'alertname(=~|=)"([^"]+)"', matcher)
            if match:
                named |= set(match[2].split("|"))
    assert named, "the inhibit rules name no alerts"
    assert named <= defined, f"not defined by any rule: {sorted(named - defined)}"


def test_a_dependency_outage_inhibits_symptoms_but_never_a_process_down(
    config: dict[str, Any],
) -> None:
    sources = set()
    for rule in config["inhibit_rules"]:
        (source,) = rule["source_matchers"]
        sources.add(source)
        targets = " ".join(rule["target_matchers"])
        assert "ServiceProcessDown" not in targets
        assert "environment" in rule["equal"], "production environments inhibit only their own"
    assert {
        'alertname="PostgresDown"',
        'alertname="RedisDown"',
        'alertname="KafkaUnreachable"',
    } <= sources
