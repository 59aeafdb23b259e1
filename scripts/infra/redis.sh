#!/usr/bin/env bash
# Redis 7 on loopback, no persistence (it only carries real-time fan-out and rate-limit
# counters). Usage: redis.sh up|down|status
set -euo pipefail
source "$(dirname "$0")/env.sh"

DIR="$HULEEDU_LOCAL_DIR/redis"
PIDFILE="$DIR/redis.pid"

ready() { [ "$(redis-cli -h "$HULEEDU_REDIS_HOST" -p "$HULEEDU_REDIS_PORT" ping 2>/dev/null)" = "PONG" ]; }

up() {
  if ready; then log "Redis already running on $HULEEDU_REDIS_PORT"; return; fi
  mkdir -p "$DIR" "$HULEEDU_LOG_DIR"
  redis-server --bind "$HULEEDU_REDIS_HOST" --port "$HULEEDU_REDIS_PORT" --daemonize yes \
    --pidfile "$PIDFILE" --dir "$DIR" --logfile "$HULEEDU_LOG_DIR/redis.log" \
    --save "" --appendonly no --protected-mode yes
  wait_for 30 Redis ready
  log "Redis ready on $HULEEDU_REDIS_HOST:$HULEEDU_REDIS_PORT"
}

down() { stop_pid "$PIDFILE" Redis; }

# running: the server process exists (ready or not): whoever started it owns it.
running() { pid_alive "$PIDFILE" || ready; }

status() { if ready; then show_status redis up "$HULEEDU_REDIS_HOST:$HULEEDU_REDIS_PORT"; else show_status redis down; return 1; fi; }

"${1:-status}"
