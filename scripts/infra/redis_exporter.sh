#!/usr/bin/env bash
# Debian's prometheus-redis-exporter on loopback: redis_up, clients, memory and commands.
# Usage: redis_exporter.sh up|down|status|running
set -euo pipefail
source "$(dirname "$0")/env.sh"

DIR="$HULEEDU_LOCAL_DIR/exporters"
PIDFILE="$DIR/redis_exporter.pid"
LOGFILE="$HULEEDU_LOG_DIR/redis_exporter.log"
URL="http://127.0.0.1:$REDIS_EXPORTER_PORT"

ready() { curl -fsS -m 2 "$URL/metrics" >/dev/null 2>&1; }

up() {
  if ready; then log "Redis exporter already running on $URL"; return; fi
  if ! pid_alive "$PIDFILE"; then
    start_daemon "$PIDFILE" "$LOGFILE" prometheus-redis-exporter \
      -redis.addr "redis://$HULEEDU_REDIS_HOST:$HULEEDU_REDIS_PORT" \
      -web.listen-address "127.0.0.1:$REDIS_EXPORTER_PORT"
  fi
  wait_started "$PIDFILE" "$LOGFILE" 30 "Redis exporter" ready
  log "Redis exporter ready on $URL (pid $(cat "$PIDFILE"))"
}

down() { stop_pid "$PIDFILE" "Redis exporter"; }

running() { pid_alive "$PIDFILE"; }

status() { if ready; then show_status redis_exporter up "$URL"; else show_status redis_exporter down; return 1; fi; }

"${1:-status}"
