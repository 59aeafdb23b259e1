#!/usr/bin/env bash
# Starts, stops or reports the whole local infrastructure. Usage: infra.sh up|down|status
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/env.sh"

case "${1:-status}" in
  up)
    check_infra_ports
    "$HERE/install.sh"
    start=$SECONDS
    # Kafka's JVM takes longest to start, so it boots while PostgreSQL and Redis come up.
    "$HERE/kafka.sh" up & kafka_pid=$!
    "$HERE/postgres.sh" up
    "$HERE/redis.sh" up
    wait "$kafka_pid" || die "Kafka failed to start; see $HULEEDU_LOG_DIR/kafka.log"
    "$VENV_PY" "$ROOT_DIR/scripts/bootstrap_topics.py"
    log "infrastructure up in $((SECONDS - start))s"
    ;;
  down)
    "$HERE/kafka.sh" down; "$HERE/redis.sh" down; "$HERE/postgres.sh" down ;;
  status)
    rc=0
    "$HERE/postgres.sh" status || rc=1
    "$HERE/redis.sh" status || rc=1
    "$HERE/kafka.sh" status || rc=1
    exit $rc ;;
  *) die "usage: infra.sh up|down|status" ;;
esac
