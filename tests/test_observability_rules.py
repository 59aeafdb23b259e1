"""Alert and recording rules: promtool accepts and unit-tests them, they read only the metric
contract (documentation/metrics.md), and every alert has exactly one runbook."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from huleedu_service_libs.observability.metrics import HTTP_REQUEST_DURATION

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "observability" / "prometheus" / "rules"
TESTS_DIR = ROOT / "observability" / "prometheus" / "tests"
RUNBOOKS = ROOT / "documentation" / "runbooks"
DASHBOARDS = ROOT / "observability" / "grafana" / "dashboards"
RULE_FILES = sorted(RULES_DIR.glob("*.yml"))
TEST_FILES = sorted(TESTS_DIR.glob("*.yml"))
# Runbooks that serve operators in general rather than one alert.
GENERAL_RUNBOOKS = {"README.md", "outbox-and-dlq.md", "backup-and-restore.md"}
# The names Alertmanager's inhibition rules and the issue rely on.
CONTRACT_ALERTS = {
    "ServiceProcessDown", "ServiceHigh5xxRatio", "GatewayLatencySLOFastBurn",
    "GatewayLatencySLOSlowBurn", "ConsumerLagGrowing", "ConsumerStalled",
    "OutboxOldestRowTooOld", "OutboxRowsParked", "DeadLetterQueueNotEmpty",
    "CircuitBreakerOpen", "BatchPhasePastDeadline", "StudentAssociationsNearAutoConfirm",
    "PostgresDown", "RedisDown", "KafkaUnreachable", "OutboxRelayDead",
}  # fmt: skip
# Not in the contract page: Prometheus' own target health and the exporters' reachability.
OUTSIDE_CONTRACT = {"up", "pg_up", "redis_up"}
HISTOGRAMS = {"huleedu_http_request_duration_seconds": HTTP_REQUEST_DURATION}

_PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring"}
_PROMQL_NOISE = [
    re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\''),  # strings
    re.compile(r"\{[^{}]*\}"),  # label matchers
    re.compile(r"\[[^\]]*\]"),  # ranges and subqueries
    re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)"),
    re.compile(r"(?<![\w:])\d+(?:\.\d+)?(?:[eE][+-]?\d+|ms|[smhdwy])?(?![\w:])"),  # numbers
]
_IDENTIFIER = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads (functions, keywords and labels left out)."""
    for noise in _PROMQL_NOISE:
        expr = noise.sub(" ", expr)
    names = {
        m.group()
        for m in _IDENTIFIER.finditer(expr)
        if not expr[m.end() :].lstrip().startswith("(")
    }
    return names - _PROMQL_KEYWORDS


def kebab(name: str) -> str:
    """GatewayLatencySLOFastBurn -> gateway-latency-slo-fast-burn."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


def rules() -> list[dict[str, Any]]:
    """Every rule of every rules file."""
    found: list[dict[str, Any]] = []
    for path in RULE_FILES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            found.extend(group["rules"])
    return found


def alerts() -> dict[str, dict[str, Any]]:
    """Alerting rules by name."""
    return {rule["alert"]: rule for rule in rules() if "alert" in rule}


def contract_names() -> set[str]:
    """Metric names documentation/metrics.md lists, histograms with their series suffixes."""
    names: set[str] = set()
    for line in (ROOT / "documentation" / "metrics.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) < 4 or not cells[1].startswith("`huleedu_"):
            continue
        for name in re.findall(r"`(huleedu_[a-z0-9_]+)`", cells[1]):
            names.add(name)
            if cells[2] == "histogram":
                names |= {f"{name}_bucket", f"{name}_count", f"{name}_sum"}
    return names


def promtool() -> str:
    """promtool from Debian's prometheus package (`make install`)."""
    path = shutil.which("promtool")
    assert path, "promtool is missing: run `make install` (Debian's prometheus package)"
    return path


def run_promtool(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run promtool with a generous bound; the caller asserts on the result."""
    return subprocess.run(
        [promtool(), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_promtool_checks_the_rules_file(path: Path) -> None:
    result = run_promtool("check", "rules", str(path), cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: p.name)
def test_promtool_unit_tests_pass(path: Path) -> None:
    result = run_promtool("test", "rules", path.name, cwd=TESTS_DIR)
    assert result.returncode == 0, result.stdout + result.stderr


def test_metric_names_are_found_without_functions_labels_or_keywords() -> None:
    expr = (
        'sum by (service) (rate(a_total{route!~"/x|y",le="0.3"}[5m])) / on (service) '
        "group_left (impact) b:rec:sum > 1e3 and time() - max(c_seconds offset 5m) > 14.4 * 0.01"
    )
    assert metric_names(expr) == {"a_total", "b:rec:sum", "c_seconds"}


def test_rules_read_only_contract_metrics_and_recorded_series() -> None:
    recorded = {rule["record"] for rule in rules() if "record" in rule}
    allowed = contract_names() | OUTSIDE_CONTRACT | recorded
    for rule in rules():
        used = metric_names(rule["expr"])
        for text in rule.get("annotations", {}).values():
            for query in re.findall(r'printf "([^"]*)"[^|}]*\|\s*query', text):
                used |= metric_names(query)
        name = rule.get("alert") or rule["record"]
        assert used or "record" in rule, f"{name} reads no metric"
        assert used <= allowed, f"{name} reads names outside the contract: {used - allowed}"


def test_histogram_thresholds_are_bucket_boundaries_of_the_code() -> None:
    for rule in rules():
        for histogram, matchers in re.findall(r"(\w+)_bucket\{([^}]*)\}", rule["expr"]):
            bounds = HISTOGRAMS[histogram]._upper_bounds  # prometheus_client keeps them here
            for le in re.findall(r'le="([^"]+)"', matchers):
                assert float(le) in bounds, f"{histogram} has no bucket le={le}"


def test_the_alerts_the_other_parts_rely_on_exist_with_severity_and_annotations() -> None:
    defined = alerts()
    assert set(defined) >= CONTRACT_ALERTS, CONTRACT_ALERTS - set(defined)
    for name, rule in defined.items():
        assert rule["labels"]["severity"] in {"critical", "warning"}, name
        assert {"summary", "description", "runbook_url"} <= set(rule["annotations"]), name


def test_alertmanager_inhibitions_name_only_defined_alerts() -> None:
    config = (ROOT / "observability" / "alertmanager" / "alertmanager.yml").read_text()
    named = {n for alt in re.findall(r'alertname=~?"([^"]+)"', config) for n in alt.split("|")}
    assert named, "no alertname matchers in alertmanager.yml"
    assert named <= set(alerts()), named - set(alerts())


def test_every_service_has_a_teacher_impact_sentence() -> None:
    services = {
        m.group(1)
        for conf in ROOT.glob("services/*/service.conf")
        if (m := re.search(r"^SERVICE_NAME=(\w+)", conf.read_text(), re.M))
    }
    impact = {
        rule["labels"]["service"]
        for rule in rules()
        if rule.get("record") == "huleedu:service_teacher_impact:info"
    }
    assert services
    assert impact == services


def test_every_alert_has_promtool_cases_that_fire_it_and_that_do_not() -> None:
    fired: set[str] = set()
    silent: set[str] = set()
    covered: set[Path] = set()
    for path in TEST_FILES:
        suite = yaml.safe_load(path.read_text())
        covered |= {(TESTS_DIR / f).resolve() for f in suite["rule_files"]}
        for case in (c for test in suite["tests"] for c in test.get("alert_rule_test", [])):
            if not case["exp_alerts"]:
                silent.add(case["alertname"])
            for expected in case["exp_alerts"]:
                assert "severity" in expected["exp_labels"], case["alertname"]
                keys = set(expected["exp_annotations"])
                assert {"summary", "description", "runbook_url"} <= keys, case["alertname"]
                fired.add(case["alertname"])
    assert set(alerts()) <= fired, f"never made to fire: {set(alerts()) - fired}"
    assert set(alerts()) <= silent, f"never shown silent: {set(alerts()) - silent}"
    assert {p.resolve() for p in RULE_FILES} <= covered, "a rules file no test loads"


def test_alerts_and_runbooks_are_one_to_one() -> None:
    expected = {f"{kebab(name)}.md": name for name in alerts()}
    for file, name in expected.items():
        assert alerts()[name]["annotations"]["runbook_url"] == f"documentation/runbooks/{file}"
    present = {p.name for p in RUNBOOKS.glob("*.md")} - GENERAL_RUNBOOKS
    assert present == set(expected), {
        "missing": set(expected) - present,
        "orphans": present - set(expected),
    }


def test_runbook_index_lists_every_alert_with_its_severity() -> None:
    rows = re.findall(
        r"^\| `(\w+)` \| (\w+) \| \[([\w.-]+)\]\(([\w.-]+)\) \|$",
        (RUNBOOKS / "README.md").read_text(),
        flags=re.M,
    )
    listed = {(name, severity, link) for name, severity, text, link in rows if text == link}
    assert listed == {
        (name, rule["labels"]["severity"], f"{kebab(name)}.md") for name, rule in alerts().items()
    }


def dashboard_titles() -> dict[str, set[str]]:
    """Each generated dashboard's title with its panels' titles (rows included)."""

    def walk(panels: list[dict[str, Any]]) -> set[str]:
        return {p.get("title", "") for p in panels} | {
            t for p in panels for t in walk(p.get("panels", []))
        }

    found = {}
    for path in DASHBOARDS.glob("*.json"):
        model = json.loads(path.read_text())
        found[model["title"]] = walk(model.get("panels", []))
    return found


@pytest.mark.parametrize("name", sorted(alerts()))
def test_runbook_says_what_it_means_how_to_confirm_and_fix_on_real_panels(name: str) -> None:
    text = (RUNBOOKS / f"{kebab(name)}.md").read_text()
    assert text.startswith(f"# {name}\n")
    assert f"**Severity:** {alerts()[name]['labels']['severity']}." in text
    for section in ("## What it means", "## Confirm", "## Fix"):
        assert f"\n{section}\n" in text, f"{name}: no {section}"
    prose = " ".join(re.sub(r"`[^`]*`", "", text).split())
    italics = set(re.findall(r"(?<!\*)\*([^*]+)\*(?!\*)", prose))
    dashboards = dashboard_titles()
    panels = {title for titles in dashboards.values() for title in titles}
    assert italics & set(dashboards), f"{name}: names no dashboard"
    assert italics & panels, f"{name}: names no panel"
    assert italics <= set(dashboards) | panels, f"{name}: {italics - set(dashboards) - panels}"
