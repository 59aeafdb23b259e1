"""Our alertmanager.yml in a real Alertmanager: inhibition, and delivery to the real receiver.

Each test runs a private Alertmanager (Debian's binary, the repository's config with the
receiver's address and shorter group timers swapped in) and a private alert receiver
(scripts/alert_receiver.py), both on free ports, and posts alerts as Prometheus does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from huleedu_testing.servers import free_port_below_ephemeral

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "observability" / "alertmanager" / "alertmanager.yml"
GROUP_WAIT_SECONDS = 1


def http(method: str, url: str, body: Any = None) -> tuple[int, Any]:
    """One JSON request over loopback; (status, decoded body)."""
    parts = urlsplit(url)
    connection = HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
    try:
        data = None if body is None else json.dumps(body)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, path, body=data, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except json.JSONDecodeError:
        return response.status, raw.decode()


def wait_until(check: Callable[[], Any], what: str, seconds: float = 20.0) -> Any:
    """Poll `check` until it returns something truthy (a bound, not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            found = check()
        except OSError:
            found = None
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@dataclass
class Console:
    """A private Alertmanager that notifies a private alert receiver."""

    alertmanager: str
    receiver: str

    def fire(self, *alerts: dict[str, str]) -> None:
        """Post firing alerts (label sets) as Prometheus does."""
        now = datetime.now(UTC).isoformat()
        body = [{"labels": labels, "startsAt": now} for labels in alerts]
        status, answer = http("POST", f"{self.alertmanager}/api/v2/alerts", body)
        assert status == 200, answer

    def resolve(self, labels: dict[str, str]) -> None:
        """Post the alert again with an end in the past, as Prometheus does when it clears."""
        now = datetime.now(UTC).isoformat()
        body = [{"labels": labels, "startsAt": now, "endsAt": now}]
        status, answer = http("POST", f"{self.alertmanager}/api/v2/alerts", body)
        assert status == 200, answer

    def state(self, alertname: str, service: str) -> dict[str, Any]:
        """Alertmanager's status of one alert (state, inhibitedBy)."""
        _, alerts = http("GET", f"{self.alertmanager}/api/v2/alerts")
        (found,) = [
            a["status"]
            for a in alerts
            if a["labels"]["alertname"] == alertname and a["labels"].get("service") == service
        ]
        return dict(found)

    def received(self, **filters: str) -> list[dict[str, Any]]:
        """What the receiver recorded, newest first."""
        query = "&".join(f"{k}={v}" for k, v in filters.items())
        _, body = http("GET", f"{self.receiver}/alerts?{query}")
        return list(body["alerts"])


def start(argv: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Console]:
    receiver_port = free_port_below_ephemeral()
    manager_port = free_port_below_ephemeral()
    config = yaml.safe_load(CONFIG.read_text())
    for receiver in config["receivers"]:
        for webhook in receiver.get("webhook_configs", []):
            webhook["url"] = f"http://127.0.0.1:{receiver_port}/alerts"
    config["route"]["group_wait"] = f"{GROUP_WAIT_SECONDS}s"
    config["route"]["group_interval"] = "2s"
    (tmp_path / "alertmanager.yml").write_text(yaml.safe_dump(config))
    processes = [
        start(
            [
                sys.executable,
                str(ROOT / "scripts" / "alert_receiver.py"),
                f"--port={receiver_port}",
                f"--log={tmp_path / 'alerts.jsonl'}",
            ],
            tmp_path / "receiver.log",
        ),
        start(
            [
                "prometheus-alertmanager",
                f"--config.file={tmp_path / 'alertmanager.yml'}",
                f"--storage.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{manager_port}",
                "--cluster.listen-address=",
            ],
            tmp_path / "alertmanager.log",
        ),
    ]
    found = Console(f"http://127.0.0.1:{manager_port}", f"http://127.0.0.1:{receiver_port}")
    try:
        wait_until(lambda: http("GET", f"{found.receiver}/healthz")[0] == 200, "the receiver")
        wait_until(lambda: http("GET", f"{found.alertmanager}/-/ready")[0] == 200, "Alertmanager")
        yield found
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=30)


def symptom(alertname: str, service: str) -> dict[str, str]:
    return {"alertname": alertname, "service": service, "severity": "critical"}


def test_an_alert_and_its_resolution_reach_the_receiver(console: Console) -> None:
    down = symptom("ServiceProcessDown", "content_service") | {"process": "http"}

    console.fire(down)
    firing = wait_until(
        lambda: console.received(alertname="ServiceProcessDown", status="firing"), "firing"
    )
    console.resolve(down)
    resolved = wait_until(
        lambda: console.received(alertname="ServiceProcessDown", status="resolved"), "resolved"
    )

    assert firing[0]["labels"] == down
    assert resolved[0]["labels"] == down
    assert resolved[0]["receiver"] == "local-alert-receiver"


def test_postgres_down_inhibits_service_symptoms_but_not_a_process_down(
    console: Console,
) -> None:
    console.fire(
        {"alertname": "PostgresDown", "service": "postgres", "severity": "critical"},
        symptom("OutboxOldestRowTooOld", "file_service"),
        symptom("ServiceHigh5xxRatio", "batch_orchestrator_service"),
        symptom("ServiceProcessDown", "content_service"),
    )

    wait_until(lambda: console.received(alertname="ServiceProcessDown"), "the process down")
    wait_until(lambda: console.received(alertname="PostgresDown"), "PostgresDown")
    for alertname, service in [
        ("OutboxOldestRowTooOld", "file_service"),
        ("ServiceHigh5xxRatio", "batch_orchestrator_service"),
    ]:
        state = console.state(alertname, service)
        assert state["state"] == "suppressed"
        assert state["inhibitedBy"]
    assert console.state("ServiceProcessDown", "content_service")["state"] == "active"
    # Their groups' group_wait has passed several times over: nothing was sent for them.
    time.sleep(3 * GROUP_WAIT_SECONDS)
    assert console.received(alertname="OutboxOldestRowTooOld") == []
    assert console.received(alertname="ServiceHigh5xxRatio") == []


def test_redis_down_inhibits_only_the_gateways_symptoms(console: Console) -> None:
    console.fire(
        {"alertname": "RedisDown", "service": "redis", "severity": "critical"},
        symptom("ServiceHigh5xxRatio", "api_gateway_service"),
        symptom("ServiceHigh5xxRatio", "file_service"),
    )

    wait_until(lambda: console.received(service="file_service"), "the file service's 5xx")
    assert console.state("ServiceHigh5xxRatio", "api_gateway_service")["state"] == "suppressed"
    assert console.state("ServiceHigh5xxRatio", "file_service")["state"] == "active"


def test_a_process_down_inhibits_its_own_services_relay_and_consumers_only(
    console: Console,
) -> None:
    console.fire(
        symptom("ServiceProcessDown", "file_service") | {"process": "worker"},
        symptom("OutboxRelayDead", "file_service"),
        symptom("OutboxRelayDead", "class_management_service"),
    )

    wait_until(lambda: console.received(service="class_management_service"), "the other relay")
    assert console.state("OutboxRelayDead", "file_service")["state"] == "suppressed"
    assert console.state("OutboxRelayDead", "class_management_service")["state"] == "active"


def test_the_receiver_refuses_what_is_not_a_notification(console: Console) -> None:
    status, _ = http("POST", f"{console.receiver}/alerts", {"alerts": "none"})
    assert status == 400
    status, _ = http("POST", f"{console.receiver}/elsewhere", {"alerts": []})
    assert status == 404
    status, body = http("GET", f"{console.receiver}/alerts?limit=x")
    assert status == 400, body
    status, metrics = http("GET", f"{console.receiver}/metrics")
    assert status == 200
    assert "huleedu_alert_receiver_notifications_total 0" in metrics
