#!/usr/bin/env bash
# Alertmanager on loopback with observability/alertmanager/alertmanager.yml (routing by
# severity, inhibition, the local alert receiver); data under .local/alertmanager. Clustering
# is off (one instance, and its default gossip port 9094 is not ours).
# Usage: alertmanager.sh up|down|status|running|reload
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/daemon.sh"

daemon Alertmanager alertmanager "$ALERTMANAGER_PORT" "$HULEEDU_LOCAL_DIR/alertmanager" /-/ready
START_LIMIT=60
CONFIG="$ROOT_DIR/observability/alertmanager/alertmanager.yml"
# HULEEDU_ALERTMANAGER_GROUP_* set: a copy that differs only in the top route's group_wait and
# group_interval.
CONFIG_OVERRIDES=(
  "route.group_wait=$HULEEDU_ALERTMANAGER_GROUP_WAIT"
  "route.group_interval=$HULEEDU_ALERTMANAGER_GROUP_INTERVAL"
)

start() {
  local config; config=$(config_file)
  start_daemon "$PIDFILE" "$LOGFILE" prometheus-alertmanager --config.file="$config" \
    --storage.path="$DIR/data" --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
    --web.external-url="$URL/" --cluster.listen-address=
}

"${1:-status}"
