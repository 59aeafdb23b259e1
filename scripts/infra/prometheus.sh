#!/usr/bin/env bash
# Prometheus on loopback with the repository's prometheus.yml (every process of the stack, the
# exporters, the rules in observability/prometheus/rules, alerts to Alertmanager); data under
# .local/prometheus. Usage: prometheus.sh up|down|status|running|reload
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/daemon.sh"

daemon Prometheus prometheus "$PROMETHEUS_PORT" "$HULEEDU_LOCAL_DIR/prometheus" /-/ready
START_LIMIT=60
CONFIG="$ROOT_DIR/prometheus.yml"
# HULEEDU_PROMETHEUS_*_INTERVAL set: a copy that differs only in those intervals, beside a link
# to observability/ so that the relative rule_files path finds the same rules.
CONFIG_OVERRIDES=(
  "global.scrape_interval=$HULEEDU_PROMETHEUS_SCRAPE_INTERVAL"
  "global.evaluation_interval=$HULEEDU_PROMETHEUS_EVALUATION_INTERVAL"
)
CONFIG_LINKS=(observability)

start() {
  local config; config=$(config_file)
  # --web.enable-lifecycle: `prometheus.sh reload` after editing the rules.
  start_daemon "$PIDFILE" "$LOGFILE" prometheus --config.file="$config" \
    --storage.tsdb.path="$DIR/data" --storage.tsdb.retention.time=15d \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.external-url="$URL/" \
    --web.enable-lifecycle
}

"${1:-status}"
