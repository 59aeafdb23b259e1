#!/usr/bin/env bash
# Starts, stops or reports the whole local infrastructure: PostgreSQL, Redis, Kafka, LanguageTool
# and the operators' console (Prometheus, Alertmanager, the alert receiver, the PostgreSQL and Redis
# exporters). Usage: infra.sh up|down|status
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/env.sh"
# The operators' console in start order (stopped in reverse): the receiver before
# Alertmanager before Prometheus, so that no alert finds its next hop missing.
OBSERVABILITY=(alert_receiver alertmanager postgres_exporter redis_exporter prometheus)

case "${1:-status}" in
  up)
    check_infra_ports
    "$HERE/install.sh"
    start=$SECONDS
    # Kafka's JVM takes longest to start, so it boots (with LanguageTool's) while PostgreSQL
    # and Redis come up.
    "$HERE/kafka.sh" up & kafka_pid=$!
    "$HERE/languagetool.sh" up & languagetool_pid=$!
    "$HERE/postgres.sh" up
    "$HERE/redis.sh" up
    for component in "${OBSERVABILITY[@]}"; do "$HERE/$component.sh" up; done
    wait "$kafka_pid" || die "Kafka failed to start; see $HULEEDU_LOG_DIR/kafka.log"
    wait "$languagetool_pid" \
      || die "LanguageTool failed to start; see $HULEEDU_LOG_DIR/languagetool.log"
    "$VENV_PY" "$ROOT_DIR/scripts/bootstrap_topics.py"
    log "infrastructure up in $((SECONDS - start))s"
    ;;
  down)
    # Prometheus first: it would report the servers below going down as alerts.
    for ((i = ${#OBSERVABILITY[@]} - 1; i >= 0; i--)); do "$HERE/${OBSERVABILITY[i]}.sh" down; done
    "$HERE/languagetool.sh" down
    "$HERE/kafka.sh" down; "$HERE/redis.sh" down; "$HERE/postgres.sh" down ;;
  status)
    rc=0
    "$HERE/postgres.sh" status || rc=1
    "$HERE/redis.sh" status || rc=1
    "$HERE/kafka.sh" status || rc=1
    "$HERE/languagetool.sh" status || rc=1
    for component in "${OBSERVABILITY[@]}"; do "$HERE/$component.sh" status || rc=1; done
    exit $rc ;;
  *) die "usage: infra.sh up|down|status" ;;
esac
