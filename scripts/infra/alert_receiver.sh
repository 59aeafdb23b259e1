#!/usr/bin/env bash
# The local alert receiver (scripts/alert_receiver.py) on loopback: Alertmanager's webhook
# target. Every alert goes to .local/logs/alerts.jsonl; GET /alerts shows the newest.
# Usage: alert_receiver.sh up|down|status|running
set -euo pipefail
source "$(dirname "$0")/env.sh"

DIR="$HULEEDU_LOCAL_DIR/alert_receiver"
PIDFILE="$DIR/alert_receiver.pid"
LOGFILE="$HULEEDU_LOG_DIR/alert_receiver.log"
URL="http://127.0.0.1:$ALERT_RECEIVER_PORT"

ready() { curl -fsS -m 2 "$URL/healthz" >/dev/null 2>&1; }

up() {
  if ready; then log "alert receiver already running on $URL"; return; fi
  if ! pid_alive "$PIDFILE"; then
    start_daemon "$PIDFILE" "$LOGFILE" "$VENV_PY" "$ROOT_DIR/scripts/alert_receiver.py" \
      --host 127.0.0.1 --port "$ALERT_RECEIVER_PORT" --log "$HULEEDU_LOG_DIR/alerts.jsonl"
  fi
  wait_started "$PIDFILE" "$LOGFILE" 30 "alert receiver" ready
  log "alert receiver ready on $URL/alerts (pid $(cat "$PIDFILE"))"
}

down() { stop_pid "$PIDFILE" "alert receiver"; }

running() { pid_alive "$PIDFILE"; }

status() { if ready; then show_status alert_receiver up "$URL/alerts"; else show_status alert_receiver down; return 1; fi; }

"${1:-status}"
