#!/usr/bin/env bash
# Debian's prometheus-postgres-exporter on loopback: pg_up and the server's statistics (every
# database's connections, transactions, size) for Prometheus, through the `huleedu` user.
# Usage: postgres_exporter.sh up|down|status|running
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/daemon.sh"

daemon "PostgreSQL exporter" postgres_exporter "$PG_EXPORTER_PORT" "$HULEEDU_LOCAL_DIR/exporters" /metrics

start() {
  # The DSN goes through the environment, never the command line that `ps` shows.
  DATA_SOURCE_NAME="postgresql://$HULEEDU_PG_USER:$HULEEDU_PG_PASSWORD@$HULEEDU_PG_HOST:$HULEEDU_PG_PORT/postgres?sslmode=disable" \
    start_daemon "$PIDFILE" "$LOGFILE" prometheus-postgres-exporter \
    --web.listen-address="127.0.0.1:$PG_EXPORTER_PORT"
}

"${1:-status}"
