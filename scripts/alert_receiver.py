"""The local operator's alert receiver: Alertmanager's webhook in, a log and a JSON view out.

Alertmanager (observability/alertmanager/alertmanager.yml) posts every notification to
`POST /alerts`. Each alert in it becomes one JSON line of the log (`.local/logs/alerts.jsonl`
under `make up`): when it arrived, its status (`firing` or `resolved`), labels, annotations,
startsAt, endsAt and fingerprint. `GET /alerts` answers the newest first (filters `status`,
`alertname`, `service`, `limit`; the newest records are kept in memory and read back from the
log on start), `GET /healthz` answers `{"status": "ok"}`, `GET /metrics` counts what arrived.

Standard library only, so that the compose file runs this same file in a plain Python image.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from collections import Counter, deque
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

KEEP = 1000
DEFAULT_LIMIT = 100
MAX_BODY_BYTES = 10 * 1024 * 1024


class AlertLog:
    """Every alert received, appended to a JSON-lines file; the newest kept in memory."""

    def __init__(self, path: Path, keep: int = KEEP) -> None:
        self.path = path
        self._recent: deque[dict[str, Any]] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self._alerts: Counter[tuple[str, str]] = Counter()
        self._notifications = 0
        self._last_notification = 0.0

    def load(self) -> None:
        """Read the newest records of an existing log back into memory."""
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as lines:
            for line in lines:
                try:
                    self._recent.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash mid-write

    def record(self, notification: dict[str, Any]) -> list[dict[str, Any]]:
        """Append each alert of an Alertmanager webhook notification; return the records."""
        alerts = notification.get("alerts")
        if not isinstance(alerts, list) or not all(isinstance(a, dict) for a in alerts):
            raise ValueError("a webhook notification has a list of alerts")
        now = datetime.now(UTC)
        records = [_record(alert, notification, now) for alert in alerts]
        text = "".join(json.dumps(r, sort_keys=True) + "\n" for r in records)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as log:
                log.write(text)
            self._recent.extend(records)
            self._notifications += 1
            self._last_notification = now.timestamp()
            self._alerts.update((r["alertname"], r["status"]) for r in records)
        return records

    def recent(
        self,
        *,
        status: str | None = None,
        alertname: str | None = None,
        service: str | None = None,
        limit: int = DEFAULT_LIMIT,
    ) -> list[dict[str, Any]]:
        """The newest records first, filtered by status, alert name and service label."""
        with self._lock:
            newest_first = list(reversed(self._recent))
        found = [
            r
            for r in newest_first
            if (status is None or r.get("status") == status)
            and (alertname is None or r.get("alertname") == alertname)
            and (service is None or r.get("labels", {}).get("service") == service)
        ]
        return found[:limit]

    def metrics(self) -> str:
        """Prometheus text exposition of what arrived since this process started."""
        with self._lock:
            alerts = sorted(self._alerts.items())
            notifications, last = self._notifications, self._last_notification
        lines = [
            "# HELP huleedu_alert_receiver_alerts_total Alerts received from Alertmanager.",
            "# TYPE huleedu_alert_receiver_alerts_total counter",
            *(
                f'huleedu_alert_receiver_alerts_total{{alertname="{_escape(name)}",'
                f'status="{_escape(status)}"}} {count}'
                for (name, status), count in alerts
            ),
            "# HELP huleedu_alert_receiver_notifications_total Webhook notifications received.",
            "# TYPE huleedu_alert_receiver_notifications_total counter",
            f"huleedu_alert_receiver_notifications_total {notifications}",
            "# HELP huleedu_alert_receiver_last_notification_timestamp_seconds "
            "When the last notification arrived (Unix time, 0 before the first).",
            "# TYPE huleedu_alert_receiver_last_notification_timestamp_seconds gauge",
            f"huleedu_alert_receiver_last_notification_timestamp_seconds {last}",
        ]
        return "\n".join(lines) + "\n"


def _record(alert: dict[str, Any], notification: dict[str, Any], now: datetime) -> dict[str, Any]:
    labels = alert.get("labels") or {}
    return {
        "receivedAt": now.isoformat(),
        "status": str(alert.get("status", notification.get("status", ""))),
        "alertname": str(labels.get("alertname", "")),
        "labels": labels,
        "annotations": alert.get("annotations") or {},
        "startsAt": alert.get("startsAt"),
        "endsAt": alert.get("endsAt"),
        "fingerprint": alert.get("fingerprint"),
        "generatorURL": alert.get("generatorURL"),
        "receiver": notification.get("receiver"),
        "groupKey": notification.get("groupKey"),
    }


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def make_handler(alert_log: AlertLog) -> type[BaseHTTPRequestHandler]:
    """The request handler class serving `alert_log`."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/alerts":
                self._send_json(HTTPStatus.NOT_FOUND, {"error": "not found"})
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._send_json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "too large"})
                return
            try:
                notification = json.loads(self.rfile.read(length))
                if not isinstance(notification, dict):
                    raise ValueError("a webhook notification is a JSON object")
                records = alert_log.record(notification)
            except ValueError as error:  # JSONDecodeError is a ValueError
                self._send_json(HTTPStatus.BAD_REQUEST, {"error": str(error)})
                return
            for r in records:
                _log("alert", status=r["status"], alertname=r["alertname"], labels=r["labels"])
            self._send_json(HTTPStatus.OK, {"recorded": len(records)})

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/healthz":
                self._send_json(HTTPStatus.OK, {"status": "ok"})
            elif url.path == "/metrics":
                self._send(HTTPStatus.OK, alert_log.metrics().encode(), "text/plain; version=0.0.4")
            elif url.path == "/alerts":
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                try:
                    limit = int(query.get("limit", DEFAULT_LIMIT))
                except ValueError:
                    self._send_json(HTTPStatus.BAD_REQUEST, {"error": "limit is a number"})
                    return
                alerts = alert_log.recent(
                    status=query.get("status"),
                    alertname=query.get("alertname"),
                    service=query.get("service"),
                    limit=max(limit, 0),
                )
                self._send_json(HTTPStatus.OK, {"alerts": alerts})
            else:
                self._send_json(HTTPStatus.NOT_FOUND, {"error": "not found"})

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per alert (do_POST) says more than one per request

        def _send_json(self, status: HTTPStatus, body: dict[str, Any]) -> None:
            self._send(status, json.dumps(body).encode(), "application/json")

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def _log(event: str, **fields: object) -> None:
    line = {"timestamp": datetime.now(UTC).isoformat(), "event": event, **fields}
    print(json.dumps(line, default=str), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM or SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9095)
    parser.add_argument("--log", type=Path, required=True, help="the JSON-lines alert log")
    parser.add_argument("--keep", type=int, default=KEEP, help="records kept for GET /alerts")
    args = parser.parse_args(argv)
    alert_log = AlertLog(args.log, keep=args.keep)
    alert_log.load()
    server = ThreadingHTTPServer((args.host, args.port), make_handler(alert_log))

    def stop(*_: object) -> None:
        # shutdown() waits for serve_forever to return, so it cannot run on serve_forever's thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    _log("alert_receiver.running", host=args.host, port=args.port, log=str(args.log))
    server.serve_forever()
    server.server_close()
    _log("alert_receiver.stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
