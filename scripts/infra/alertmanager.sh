#!/usr/bin/env bash
# Alertmanager on loopback with observability/alertmanager/alertmanager.yml (routing by
# severity, inhibition, the local alert receiver); data under .local/alertmanager. Clustering
# is off (one instance, and its default gossip port 9094 is not ours).
# Usage: alertmanager.sh up|down|status|running|reload
set -euo pipefail
source "$(dirname "$0")/env.sh"

DIR="$HULEEDU_LOCAL_DIR/alertmanager"
PIDFILE="$DIR/alertmanager.pid"
LOGFILE="$HULEEDU_LOG_DIR/alertmanager.log"
URL="http://127.0.0.1:$ALERTMANAGER_PORT"
CONFIG="$ROOT_DIR/observability/alertmanager/alertmanager.yml"

ready() { curl -fsS -m 2 "$URL/-/ready" >/dev/null 2>&1; }

# config_file: alertmanager.yml itself, or with HULEEDU_ALERTMANAGER_GROUP_* set a copy that
# differs only in the top route's group_wait and group_interval.
config_file() {
  if [ -z "$HULEEDU_ALERTMANAGER_GROUP_WAIT$HULEEDU_ALERTMANAGER_GROUP_INTERVAL" ]; then
    rm -f "$DIR/alertmanager.yml"  # an earlier run's copy, not this one's
    echo "$CONFIG"; return
  fi
  mkdir -p "$DIR"
  "$VENV_PY" "$ROOT_DIR/scripts/infra/render_config.py" "$CONFIG" "$DIR/alertmanager.yml" \
    "route.group_wait=$HULEEDU_ALERTMANAGER_GROUP_WAIT" \
    "route.group_interval=$HULEEDU_ALERTMANAGER_GROUP_INTERVAL"
  echo "$DIR/alertmanager.yml"
}

up() {
  if ready; then log "Alertmanager already running on $URL"; return; fi
  if ! pid_alive "$PIDFILE"; then
    local config; config=$(config_file)
    start_daemon "$PIDFILE" "$LOGFILE" prometheus-alertmanager --config.file="$config" \
      --storage.path="$DIR/data" --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
      --web.external-url="$URL/" --cluster.listen-address=
  fi
  wait_started "$PIDFILE" "$LOGFILE" 60 Alertmanager ready
  log "Alertmanager ready on $URL (pid $(cat "$PIDFILE"))"
}

down() { stop_pid "$PIDFILE" Alertmanager; }

# running: the server process exists (ready or not): whoever started it owns it.
running() { pid_alive "$PIDFILE"; }

# reload: read alertmanager.yml again (a broken file is refused, the old one stays).
reload() {
  [ -z "$HULEEDU_ALERTMANAGER_GROUP_WAIT$HULEEDU_ALERTMANAGER_GROUP_INTERVAL" ] || config_file >/dev/null
  curl -fsS -m 30 -X POST "$URL/-/reload" || die "Alertmanager refused the configuration; see $LOGFILE"
  log "Alertmanager reloaded"
}

status() { if ready; then show_status alertmanager up "$URL"; else show_status alertmanager down; return 1; fi; }

"${1:-status}"
