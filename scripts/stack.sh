#!/usr/bin/env bash
# Starts, stops and reports every service found under services/*/service.conf.
# A service.conf is a bash fragment:
#   SERVICE_NAME=file_service
#   HTTP_PORT=7001                    # where /healthz answers
#   WORKER_PORT=7002                  # optional: the worker process's /healthz
#   MIGRATE=1                         # run `alembic upgrade head` before starting
#   PROCESSES=("http:python -m file_service.app" "relay:python -m file_service.worker")
# Logs go to .local/logs/<service>-<process>.log, pids to .local/run/. Usage: stack.sh up|down|status
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/infra/env.sh"
RUN_DIR="$HULEEDU_LOCAL_DIR/run"
mkdir -p "$RUN_DIR" "$HULEEDU_LOG_DIR"

# CONFS: every services/*/service.conf, as an array so paths with spaces survive.
CONFS=()
for conf in "$ROOT"/services/*/service.conf; do [ -f "$conf" ] && CONFS+=("$conf"); done

load() {
  SERVICE_NAME=""; HTTP_PORT=""; WORKER_PORT=""; MIGRATE=0; PROCESSES=()
  # shellcheck disable=SC1090
  source "$1"
  SERVICE_DIR="$(dirname "$1")"
}

healthy() { curl -fsS -m 2 "http://127.0.0.1:$1/healthz" >/dev/null 2>&1; }

start_service() {
  load "$1"
  if [ "$MIGRATE" = 1 ]; then
    (cd "$SERVICE_DIR" && "$ROOT/.venv/bin/alembic" -c alembic.ini upgrade head) \
      >>"$HULEEDU_LOG_DIR/$SERVICE_NAME-migrate.log" 2>&1 \
      || die "$SERVICE_NAME migrations failed; see $HULEEDU_LOG_DIR/$SERVICE_NAME-migrate.log"
  fi
  local entry proc cmd pidfile
  for entry in "${PROCESSES[@]}"; do
    proc=${entry%%:*}; cmd=${entry#*:}
    pidfile="$RUN_DIR/$SERVICE_NAME-$proc.pid"
    if pid_alive "$pidfile"; then continue; fi
    # The service itself must be the background job, so that $! is its pid and `down` stops
    # it (a backgrounded `cd && cmd` list would record the pid of a wrapper shell instead).
    (
      cd "$SERVICE_DIR"
      # shellcheck disable=SC2086 # cmd is a command line from our own service.conf
      # setsid: own session, so the caller's Ctrl-C or process-group kill does not reach it.
      PATH="$ROOT/.venv/bin:$PATH" setsid nohup $cmd >>"$HULEEDU_LOG_DIR/$SERVICE_NAME-$proc.log" 2>&1 &
      echo $! >"$pidfile"
    )
  done
}

up() {
  if [ ${#CONFS[@]} -eq 0 ]; then log "no services yet (none has a services/*/service.conf)"; return; fi
  local conf
  for conf in "${CONFS[@]}"; do start_service "$conf"; done
  for conf in "${CONFS[@]}"; do
    load "$conf"
    [ -z "$HTTP_PORT" ] || wait_for 90 "$SERVICE_NAME" healthy "$HTTP_PORT"
    [ -z "$WORKER_PORT" ] || wait_for 90 "$SERVICE_NAME worker" healthy "$WORKER_PORT"
  done
  status
}

down() {
  local pidfile
  for pidfile in "$RUN_DIR"/*.pid; do
    [ -e "$pidfile" ] || continue
    stop_pid "$pidfile" "$(basename "$pidfile" .pid)"
  done
}

status() {
  local conf rc=0
  [ ${#CONFS[@]} -gt 0 ] || { echo "services   none yet"; return 0; }
  for conf in "${CONFS[@]}"; do
    load "$conf"
    if [ -n "$HTTP_PORT" ] && healthy "$HTTP_PORT"; then
      printf '%-28s up    http://127.0.0.1:%s\n' "$SERVICE_NAME" "$HTTP_PORT"
    else
      printf '%-28s down\n' "$SERVICE_NAME"; rc=1
    fi
    if [ -n "$WORKER_PORT" ]; then
      if healthy "$WORKER_PORT"; then
        printf '%-28s up    http://127.0.0.1:%s (worker)\n' "$SERVICE_NAME" "$WORKER_PORT"
      else
        printf '%-28s down  (worker)\n' "$SERVICE_NAME"; rc=1
      fi
    fi
  done
  return $rc
}

"${1:-status}"
