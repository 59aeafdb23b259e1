"""The alert receiver's log: every alert recorded once, newest first, kept across restarts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .scripts_loader import load_script

receiver = load_script("scripts/alert_receiver.py")


def notification(*alerts: dict[str, Any], status: str = "firing") -> dict[str, Any]:
    """An Alertmanager webhook body (version 4) with `alerts`."""
    return {
        "version": "4",
        "status": status,
        "receiver": "local-alert-receiver",
        "groupKey": '{}:{alertname="X"}',
        "alerts": list(alerts),
    }


def alert(name: str, service: str, status: str = "firing") -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": name, "service": service, "severity": "critical"},
        "annotations": {"summary": f"{service} is down"},
        "startsAt": "2026-01-01T00:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": f"{name}-{service}",
        "generatorURL": "http://127.0.0.1:9090/graph",
    }


def test_each_alert_becomes_one_json_line(tmp_path: Path) -> None:
    log = receiver.AlertLog(tmp_path / "logs" / "alerts.jsonl")

    log.record(notification(alert("ServiceProcessDown", "a"), alert("ServiceProcessDown", "b")))

    lines = (tmp_path / "logs" / "alerts.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["labels"]["service"] for r in records] == ["a", "b"]
    first = records[0]
    assert first["status"] == "firing"
    assert first["alertname"] == "ServiceProcessDown"
    assert first["annotations"] == {"summary": "a is down"}
    assert first["startsAt"] == "2026-01-01T00:00:00Z"
    assert first["fingerprint"] == "ServiceProcessDown-a"
    assert first["receiver"] == "local-alert-receiver"
    assert first["receivedAt"]


def test_recent_is_newest_first_and_filters(tmp_path: Path) -> None:
    log = receiver.AlertLog(tmp_path / "alerts.jsonl")
    log.record(notification(alert("ServiceProcessDown", "a")))
    log.record(notification(alert("OutboxRowsParked", "b")))
    log.record(notification(alert("ServiceProcessDown", "a", "resolved"), status="resolved"))

    assert [r["status"] for r in log.recent()] == ["resolved", "firing", "firing"]
    assert [r["alertname"] for r in log.recent(status="firing")] == [
        "OutboxRowsParked",
        "ServiceProcessDown",
    ]
    assert len(log.recent(alertname="ServiceProcessDown", service="a")) == 2
    assert log.recent(service="c") == []
    assert len(log.recent(limit=1)) == 1


def test_a_restarted_receiver_shows_what_arrived_before(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    receiver.AlertLog(path).record(notification(alert("RedisDown", "redis")))
    with path.open("a") as torn:
        torn.write('{"status": "fir')  # a crash in the middle of a write

    again = receiver.AlertLog(path)
    again.load()

    assert [r["alertname"] for r in again.recent()] == ["RedisDown"]


def test_only_the_newest_are_kept_in_memory_but_all_are_logged(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    log = receiver.AlertLog(path, keep=2)
    for service in ("a", "b", "c"):
        log.record(notification(alert("ServiceProcessDown", service)))

    assert [r["labels"]["service"] for r in log.recent()] == ["c", "b"]
    assert len(path.read_text().splitlines()) == 3


@pytest.mark.parametrize("body", [{}, {"alerts": "x"}, {"alerts": ["x"]}])
def test_a_body_that_is_not_a_notification_is_refused_and_nothing_is_logged(
    tmp_path: Path, body: dict[str, Any]
) -> None:
    log = receiver.AlertLog(tmp_path / "alerts.jsonl")

    with pytest.raises(ValueError, match="list of alerts"):
        log.record(body)

    assert not (tmp_path / "alerts.jsonl").exists()
    assert log.recent() == []


def test_metrics_count_alerts_by_name_and_status(tmp_path: Path) -> None:
    log = receiver.AlertLog(tmp_path / "alerts.jsonl")
    assert "huleedu_alert_receiver_notifications_total 0" in log.metrics()

    log.record(notification(alert("ServiceProcessDown", "a"), alert("ServiceProcessDown", "b")))
    log.record(notification(alert("ServiceProcessDown", "a", "resolved"), status="resolved"))
    text = log.metrics()

    assert (
        'huleedu_alert_receiver_alerts_total{alertname="ServiceProcessDown",status="firing"} 2'
        in text
    )
    assert (
        'huleedu_alert_receiver_alerts_total{alertname="ServiceProcessDown",status="resolved"} 1'
        in text
    )
    assert "huleedu_alert_receiver_notifications_total 2" in text
    last = next(
        line for line in text.splitlines() if line.startswith("huleedu_alert_receiver_last_")
    )
    assert float(last.split()[-1]) > 0


def test_label_values_are_escaped_in_metrics(tmp_path: Path) -> None:
    log = receiver.AlertLog(tmp_path / "alerts.jsonl")
    log.record(notification(alert('Odd"Name\\', "a")))

    assert 'alertname="Odd\\"Name\\\\"' in log.metrics()
