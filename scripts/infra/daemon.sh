#!/usr/bin/env bash
# The up|down|status|running|reload verbs of one loopback HTTP server of the operators'
# console (Prometheus, Alertmanager, the alert receiver, the exporters), sourced after env.sh.
# The sourcing script calls `daemon NAME ID PORT DIR READY_PATH [SHOW_PATH]`, defines `start`
# (which runs `start_daemon "$PIDFILE" "$LOGFILE" COMMAND...`), optionally sets START_LIMIT,
# CONFIG, CONFIG_OVERRIDES and CONFIG_LINKS, and ends with `"${1:-status}"`.

# daemon NAME ID PORT DIR READY_PATH [SHOW_PATH]: NAME for log lines, ID for `make status` and
# the pid and log file names, READY_PATH the URL path that answers once it serves, SHOW_PATH
# the one to show people.
daemon() {
  DAEMON_NAME=$1 DAEMON_ID=$2 DIR=$4
  URL="http://127.0.0.1:$3"
  READY_URL="$URL$5"
  SHOW_URL="$URL${6:-}"
  PIDFILE="$DIR/$DAEMON_ID.pid"
  LOGFILE="$HULEEDU_LOG_DIR/$DAEMON_ID.log"
  START_LIMIT=30
  CONFIG=""
  CONFIG_OVERRIDES=()
  CONFIG_LINKS=()
}

ready() { curl -fsS -m 2 "$READY_URL" >/dev/null 2>&1; }

up() {
  if ready; then log "$DAEMON_NAME already running on $SHOW_URL"; return; fi
  pid_alive "$PIDFILE" || start
  wait_started "$PIDFILE" "$LOGFILE" "$START_LIMIT" "$DAEMON_NAME" ready
  log "$DAEMON_NAME ready on $SHOW_URL (pid $(cat "$PIDFILE"))"
}

down() { stop_pid "$PIDFILE" "$DAEMON_NAME"; }

# running: the server process exists (ready or not): whoever started it owns it.
running() { pid_alive "$PIDFILE"; }

status() {
  if ready; then show_status "$DAEMON_ID" up "$SHOW_URL"; else show_status "$DAEMON_ID" down; return 1; fi
}

# config_overridden: true when a test asked for other values (any CONFIG_OVERRIDES "key=VALUE"
# with a VALUE).
config_overridden() {
  local pair
  for pair in "${CONFIG_OVERRIDES[@]}"; do [ -z "${pair#*=}" ] || return 0; done
  return 1
}

# config_file: CONFIG itself, or when overridden a copy under DIR that differs only in the
# overridden keys, beside links to CONFIG_LINKS (repository folders the file names by relative
# path) so that those paths find the same files.
config_file() {
  local copy link
  copy="$DIR/$(basename "$CONFIG")"
  if ! config_overridden; then
    rm -f "$copy"  # an earlier run's copy, not this one's
    for link in "${CONFIG_LINKS[@]}"; do rm -f "$DIR/$link"; done
    echo "$CONFIG"; return
  fi
  mkdir -p "$DIR"
  for link in "${CONFIG_LINKS[@]}"; do ln -sfn "$ROOT_DIR/$link" "$DIR/$link"; done
  "$VENV_PY" "$ROOT_DIR/scripts/infra/render_config.py" "$CONFIG" "$copy" "${CONFIG_OVERRIDES[@]}"
  echo "$copy"
}

# reload: read CONFIG again (a broken file is refused, the old one stays). Without overrides
# the server runs CONFIG itself, so only an overridden copy needs rendering first.
reload() {
  [ -n "$CONFIG" ] || die "$DAEMON_NAME has no reload"
  ! config_overridden || config_file >/dev/null
  curl -fsS -m 30 -X POST "$URL/-/reload" || die "$DAEMON_NAME refused the configuration; see $LOGFILE"
  log "$DAEMON_NAME reloaded"
}
