#!/usr/bin/env bash
# Debian's prometheus-redis-exporter on loopback: redis_up, clients, memory and commands.
# Usage: redis_exporter.sh up|down|status|running
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/daemon.sh"

daemon "Redis exporter" redis_exporter "$REDIS_EXPORTER_PORT" "$HULEEDU_LOCAL_DIR/exporters" /metrics

start() {
  start_daemon "$PIDFILE" "$LOGFILE" prometheus-redis-exporter \
    -redis.addr "redis://$HULEEDU_REDIS_HOST:$HULEEDU_REDIS_PORT" \
    -web.listen-address "127.0.0.1:$REDIS_EXPORTER_PORT"
}

"${1:-status}"
