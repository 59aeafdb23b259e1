#!/usr/bin/env bash
# Debian's prometheus-postgres-exporter on loopback: pg_up and the server's statistics (every
# database's connections, transactions, size) for Prometheus, through the `huleedu` user.
# Usage: postgres_exporter.sh up|down|status|running
set -euo pipefail
source "$(dirname "$0")/env.sh"

DIR="$HULEEDU_LOCAL_DIR/exporters"
PIDFILE="$DIR/postgres_exporter.pid"
LOGFILE="$HULEEDU_LOG_DIR/postgres_exporter.log"
URL="http://127.0.0.1:$PG_EXPORTER_PORT"

ready() { curl -fsS -m 2 "$URL/metrics" >/dev/null 2>&1; }

up() {
  if ready; then log "PostgreSQL exporter already running on $URL"; return; fi
  if ! pid_alive "$PIDFILE"; then
    # The DSN goes through the environment, never the command line that `ps` shows.
    DATA_SOURCE_NAME="postgresql://$HULEEDU_PG_USER:$HULEEDU_PG_PASSWORD@$HULEEDU_PG_HOST:$HULEEDU_PG_PORT/postgres?sslmode=disable" \
      start_daemon "$PIDFILE" "$LOGFILE" prometheus-postgres-exporter \
      --web.listen-address="127.0.0.1:$PG_EXPORTER_PORT"
  fi
  wait_started "$PIDFILE" "$LOGFILE" 30 "PostgreSQL exporter" ready
  log "PostgreSQL exporter ready on $URL (pid $(cat "$PIDFILE"))"
}

down() { stop_pid "$PIDFILE" "PostgreSQL exporter"; }

running() { pid_alive "$PIDFILE"; }

status() { if ready; then show_status postgres_exporter up "$URL"; else show_status postgres_exporter down; return 1; fi; }

"${1:-status}"
