#!/usr/bin/env bash
# Prometheus on loopback with the repository's prometheus.yml (every process of the stack, the
# exporters, the rules in observability/prometheus/rules, alerts to Alertmanager); data under
# .local/prometheus. Usage: prometheus.sh up|down|status|running|reload
set -euo pipefail
source "$(dirname "$0")/env.sh"

DIR="$HULEEDU_LOCAL_DIR/prometheus"
PIDFILE="$DIR/prometheus.pid"
LOGFILE="$HULEEDU_LOG_DIR/prometheus.log"
URL="http://127.0.0.1:$PROMETHEUS_PORT"

ready() { curl -fsS -m 2 "$URL/-/ready" >/dev/null 2>&1; }

# config_file: prometheus.yml itself, or with HULEEDU_PROMETHEUS_*_INTERVAL set a copy that
# differs only in those intervals, beside a link to observability/ so that the relative
# rule_files path finds the same rules.
config_file() {
  if [ -z "$HULEEDU_PROMETHEUS_SCRAPE_INTERVAL$HULEEDU_PROMETHEUS_EVALUATION_INTERVAL" ]; then
    rm -f "$DIR/prometheus.yml" "$DIR/observability"  # an earlier run's copy, not this one's
    echo "$ROOT_DIR/prometheus.yml"; return
  fi
  mkdir -p "$DIR"
  ln -sfn "$ROOT_DIR/observability" "$DIR/observability"
  "$VENV_PY" "$ROOT_DIR/scripts/infra/render_config.py" "$ROOT_DIR/prometheus.yml" \
    "$DIR/prometheus.yml" \
    "global.scrape_interval=$HULEEDU_PROMETHEUS_SCRAPE_INTERVAL" \
    "global.evaluation_interval=$HULEEDU_PROMETHEUS_EVALUATION_INTERVAL"
  echo "$DIR/prometheus.yml"
}

up() {
  if ready; then log "Prometheus already running on $URL"; return; fi
  if ! pid_alive "$PIDFILE"; then
    local config; config=$(config_file)
    # --web.enable-lifecycle: `prometheus.sh reload` after editing the rules.
    start_daemon "$PIDFILE" "$LOGFILE" prometheus --config.file="$config" \
      --storage.tsdb.path="$DIR/data" --storage.tsdb.retention.time=15d \
      --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.external-url="$URL/" \
      --web.enable-lifecycle
  fi
  wait_started "$PIDFILE" "$LOGFILE" 60 Prometheus ready
  log "Prometheus ready on $URL (pid $(cat "$PIDFILE"))"
}

down() { stop_pid "$PIDFILE" Prometheus; }

# running: the server process exists (ready or not): whoever started it owns it.
running() { pid_alive "$PIDFILE"; }

# reload: read prometheus.yml and the rules again (a broken file is refused, the old one stays).
reload() {
  [ -z "$HULEEDU_PROMETHEUS_SCRAPE_INTERVAL$HULEEDU_PROMETHEUS_EVALUATION_INTERVAL" ] || config_file >/dev/null
  curl -fsS -m 30 -X POST "$URL/-/reload" || die "Prometheus refused the configuration; see $LOGFILE"
  log "Prometheus reloaded"
}

status() { if ready; then show_status prometheus up "$URL"; else show_status prometheus down; return 1; fi; }

"${1:-status}"
