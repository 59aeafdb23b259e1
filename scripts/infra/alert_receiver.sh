#!/usr/bin/env bash
# The local alert receiver (scripts/alert_receiver.py) on loopback: Alertmanager's webhook
# target. Every alert goes to .local/logs/alerts.jsonl; GET /alerts shows the newest.
# Usage: alert_receiver.sh up|down|status|running
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/daemon.sh"

daemon "alert receiver" alert_receiver "$ALERT_RECEIVER_PORT" "$HULEEDU_LOCAL_DIR/alert_receiver" \
  /healthz /alerts

start() {
  start_daemon "$PIDFILE" "$LOGFILE" "$VENV_PY" "$ROOT_DIR/scripts/alert_receiver.py" \
    --host 127.0.0.1 --port "$ALERT_RECEIVER_PORT" --log "$HULEEDU_LOG_DIR/alerts.jsonl"
}

"${1:-status}"
