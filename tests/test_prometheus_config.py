"""prometheus.yml is valid, loads the rules, and scrapes exactly the processes of the stack."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "prometheus.yml"
RULES_DIR = ROOT / "observability" / "prometheus" / "rules"


def bash_settings(*names: str) -> dict[str, str]:
    """Values of scripts/infra/env.sh, as the scripts see them (no HULEEDU_* inherited)."""
    script = "source scripts/infra/env.sh; " + "; ".join(f'echo "${name}"' for name in names)
    out = subprocess.run(
        ["/bin/bash", "-c", script],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return dict(zip(names, out, strict=True))


def stack_processes() -> set[tuple[str, str, int]]:
    """(service, process, port) of every process `scripts/stack.sh` starts, from service.conf."""
    found: set[tuple[str, str, int]] = set()
    for conf in sorted(ROOT.glob("services/*/service.conf")):
        # Sourced by bash exactly as stack.sh does, so the test reads what the stack runs.
        script = (
            f'source "{conf}"; echo "$SERVICE_NAME"; echo "$HTTP_PORT"; echo "${{WORKER_PORT:-}}"; '
            'for p in "${PROCESSES[@]}"; do echo "${p%%:*}"; done'
        )
        lines = subprocess.run(
            ["/bin/bash", "-c", script], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        service, http_port, worker_port, *processes = lines
        if worker_port:
            assert sorted(processes) == ["http", "worker"], conf
            found |= {(service, "http", int(http_port)), (service, "worker", int(worker_port))}
        else:
            # One process, and HTTP_PORT is where it serves /healthz and /metrics.
            (only,) = processes
            found.add((service, only, int(http_port)))
    return found


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    data = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def job(config: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [j for j in config["scrape_configs"] if j["job_name"] == name]
    return dict(found)


def targets(scrape: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    return [
        (target, group.get("labels", {}))
        for group in scrape["static_configs"]
        for target in group["targets"]
    ]


def test_promtool_accepts_the_config_and_every_rule_file_it_names() -> None:
    result = subprocess.run(
        ["promtool", "check", "config", str(CONFIG)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rule_files = sorted(RULES_DIR.glob("*.yml"))
    assert rule_files, "no rule files under observability/prometheus/rules"
    for rule_file in rule_files:
        assert f"Checking {rule_file}" in result.stdout


def test_rule_files_are_the_observability_rules(config: dict[str, Any]) -> None:
    assert config["rule_files"] == ["observability/prometheus/rules/*.yml"]


def test_every_process_of_every_service_is_scraped_with_its_service_and_process(
    config: dict[str, Any],
) -> None:
    huleedu = job(config, "huleedu")
    scraped = set()
    for target, labels in targets(huleedu):
        host, port = target.rsplit(":", 1)
        assert host == "127.0.0.1"
        scraped.add((labels["service"], labels["process"], int(port)))
    expected = stack_processes()
    assert len(expected) >= 8
    assert scraped == expected
    # A process's own `service` label must not become exported_service.
    assert huleedu["honor_labels"] is True


def test_infrastructure_jobs_scrape_the_ports_the_scripts_start_them_on(
    config: dict[str, Any],
) -> None:
    ports = bash_settings(
        "PROMETHEUS_PORT",
        "ALERTMANAGER_PORT",
        "ALERT_RECEIVER_PORT",
        "PG_EXPORTER_PORT",
        "REDIS_EXPORTER_PORT",
    )
    supervisor = re.search(
        r'HULEEDU_SUPERVISOR_PORT="\$\{HULEEDU_SUPERVISOR_PORT:-(\d+)\}"',
        (ROOT / "scripts" / "stack.sh").read_text(),
    )
    assert supervisor, "scripts/stack.sh sets the supervisor's port"
    expected = {
        "prometheus": ports["PROMETHEUS_PORT"],
        "alertmanager": ports["ALERTMANAGER_PORT"],
        "alert_receiver": ports["ALERT_RECEIVER_PORT"],
        "postgres": ports["PG_EXPORTER_PORT"],
        "redis": ports["REDIS_EXPORTER_PORT"],
        "supervisor": supervisor[1],
    }
    for name, port in expected.items():
        assert targets(job(config, name)) == [(f"127.0.0.1:{port}", {})], name
    names = [j["job_name"] for j in config["scrape_configs"]]
    assert sorted(names) == sorted([*expected, "huleedu"])
    assert len(names) == len(set(names))


def test_alerts_go_to_the_local_alertmanager(config: dict[str, Any]) -> None:
    port = bash_settings("ALERTMANAGER_PORT")["ALERTMANAGER_PORT"]
    (manager,) = config["alerting"]["alertmanagers"]
    assert manager["static_configs"] == [{"targets": [f"127.0.0.1:{port}"]}]


def test_every_port_prometheus_scrapes_lies_below_the_ephemeral_range(
    config: dict[str, Any],
) -> None:
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for scrape in config["scrape_configs"]:
        for target, _ in targets(scrape):
            assert int(target.rsplit(":", 1)[1]) < low, target


def test_the_intervals_are_fifteen_seconds_unless_a_test_asks(config: dict[str, Any]) -> None:
    assert config["global"] == {"scrape_interval": "15s", "evaluation_interval": "15s"}
    for scrape in config["scrape_configs"]:
        assert "scrape_interval" not in scrape, "HULEEDU_PROMETHEUS_* could not shorten it"
