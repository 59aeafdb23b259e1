#!/usr/bin/env bash
# Starts, stops and reports every service found under services/*/service.conf.
# A service.conf is a bash fragment:
#   SERVICE_NAME=file_service
#   HTTP_PORT=7001                    # where /healthz answers
#   WORKER_PORT=7002                  # optional: the worker process's /healthz
#   MIGRATE=1                         # run `alembic upgrade head` before starting
#   PROCESSES=("http:python -m file_service.app" "relay:python -m file_service.worker")
# A supervisor (scripts/supervisor.py) starts the processes and restarts one that dies.
# Logs go to .local/logs/<service>-<process>.log, pids to .local/run/.
# Usage: stack.sh up|down|status|restart SERVICE|stop SERVICE|start SERVICE
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
source "$ROOT/scripts/infra/env.sh"
source "$ROOT/scripts/infra/migrations.sh"
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

# Readiness (its dependencies answer); /healthz/live only says the process runs.
healthy() { curl -fsS -m 2 "http://127.0.0.1:$1/healthz/ready" >/dev/null 2>&1; }

SUPERVISOR_PIDFILE="$HULEEDU_LOCAL_DIR/supervisor.pid"
MANIFEST="$RUN_DIR/stack-manifest.jsonl"
export HULEEDU_SUPERVISOR_PORT="${HULEEDU_SUPERVISOR_PORT:-9190}"

migrate() {
  [ "$MIGRATE" = 1 ] || return 0
  if at_head "$SERVICE_DIR" "huleedu_${SERVICE_NAME%_service}"; then return 0; fi
  log "$SERVICE_NAME: migrating to head"
  (cd "$SERVICE_DIR" && "$ROOT/.venv/bin/alembic" -c alembic.ini upgrade head) \
    >>"$HULEEDU_LOG_DIR/$SERVICE_NAME-migrate.log" 2>&1 \
    || die "$SERVICE_NAME migrations failed; see $HULEEDU_LOG_DIR/$SERVICE_NAME-migrate.log"
}

# manifest_entries: one JSON line per process of the loaded service, for the supervisor.
manifest_entries() {
  local entry proc cmd
  for entry in "${PROCESSES[@]}"; do
    proc=${entry%%:*}; cmd=${entry#*:}
    "$VENV_PY" -c 'import json, shlex, sys
service, proc, cmd, cwd, log, pidfile, venv = sys.argv[1:]
argv = shlex.split(cmd)
argv[0] = f"{venv}/{argv[0]}" if argv[0] == "python" else argv[0]
print(json.dumps({"service": service, "process": proc, "argv": argv, "cwd": cwd,
                  "log": log, "pidfile": pidfile}))' \
      "$SERVICE_NAME" "$proc" "$cmd" "$SERVICE_DIR" "$HULEEDU_LOG_DIR/$SERVICE_NAME-$proc.log" \
      "$RUN_DIR/$SERVICE_NAME-$proc.pid" "$ROOT/.venv/bin"
  done
}

start_supervisor() {
  if pid_alive "$SUPERVISOR_PIDFILE"; then return 0; fi
  # setsid: own session, so the caller's Ctrl-C or process-group kill does not reach it.
  setsid nohup "$VENV_PY" "$ROOT/scripts/supervisor.py" --manifest "$MANIFEST" \
    --metrics-port "$HULEEDU_SUPERVISOR_PORT" --grace 20 \
    >>"$HULEEDU_LOG_DIR/supervisor.log" 2>&1 &
  echo $! >"$SUPERVISOR_PIDFILE"
  log "supervisor started (pid $!, metrics http://127.0.0.1:$HULEEDU_SUPERVISOR_PORT/metrics)"
}

wait_healthy() {
  [ -z "$HTTP_PORT" ] || wait_for 90 "$SERVICE_NAME" healthy "$HTTP_PORT"
  [ -z "$WORKER_PORT" ] || wait_for 90 "$SERVICE_NAME worker" healthy "$WORKER_PORT"
}

# The teacher web app the gateway serves at /, rebuilt when its sources changed. A failed
# build does not hold back the platform: the API works and / says how to build the app.
build_web_app() {
  "$ROOT/scripts/web.sh" build \
    || log "WARNING: the teacher web app is not built (make web shows why); the API is unaffected"
}

up() {
  if [ ${#CONFS[@]} -eq 0 ]; then log "no services yet (none has a services/*/service.conf)"; return; fi
  local conf ports=("HULEEDU_SUPERVISOR_PORT=$HULEEDU_SUPERVISOR_PORT")
  for conf in "${CONFS[@]}"; do
    load "$conf"
    ports+=("$SERVICE_NAME HTTP_PORT=$HTTP_PORT" "$SERVICE_NAME WORKER_PORT=$WORKER_PORT")
  done
  check_ports "${ports[@]}"
  build_web_app
  if ! pid_alive "$SUPERVISOR_PIDFILE"; then
    : >"$MANIFEST.tmp"
    for conf in "${CONFS[@]}"; do
      load "$conf"
      migrate
      manifest_entries >>"$MANIFEST.tmp"
    done
    mv "$MANIFEST.tmp" "$MANIFEST"
    start_supervisor
  fi
  for conf in "${CONFS[@]}"; do load "$conf"; wait_healthy; done
  status
}

# restart SERVICE: the supervisor starts the service's processes again at once.
restart() {
  local name=${1:-} conf found="" entry pidfile
  [ -n "$name" ] || die "usage: stack.sh restart SERVICE (e.g. file_service)"
  pid_alive "$SUPERVISOR_PIDFILE" || { up; return; }
  for conf in "${CONFS[@]}"; do
    load "$conf"
    [ "$SERVICE_NAME" = "$name" ] || continue
    found=1
    migrate
    for entry in "${PROCESSES[@]}"; do
      pidfile="$RUN_DIR/$SERVICE_NAME-${entry%%:*}.pid"
      pid_alive "$pidfile" || continue
      touch "$pidfile.restart"
      kill -TERM "$(cat "$pidfile")"
    done
    sleep 0.5
    wait_healthy
    log "$SERVICE_NAME restarted"
  done
  [ -n "$found" ] || die "no service named $name (see services/*/service.conf)"
}

# service_pidfiles SERVICE: the pid files of the named service's processes (loads its conf).
service_pidfiles() {
  local conf entry
  for conf in "${CONFS[@]}"; do
    load "$conf"
    [ "$SERVICE_NAME" = "$1" ] || continue
    for entry in "${PROCESSES[@]}"; do echo "$RUN_DIR/$SERVICE_NAME-${entry%%:*}.pid"; done
    return 0
  done
  die "no service named $1 (see services/*/service.conf)"
}

# stop SERVICE: stop its processes and keep the supervisor from starting them (`start` undoes).
stop() {
  local name=${1:-} pidfile pidfiles
  [ -n "$name" ] || die "usage: stack.sh stop SERVICE"
  pidfiles=$(service_pidfiles "$name")
  for pidfile in $pidfiles; do
    touch "$pidfile.hold"
    stop_pid "$pidfile" "$(basename "$pidfile" .pid)"
  done
}

# start SERVICE: let the supervisor start a stopped service again, and wait until it is ready.
start() {
  local name=${1:-} pidfile pidfiles conf
  [ -n "$name" ] || die "usage: stack.sh start SERVICE"
  pidfiles=$(service_pidfiles "$name")
  for pidfile in $pidfiles; do rm -f "$pidfile.hold"; done
  pid_alive "$SUPERVISOR_PIDFILE" || { up; return; }
  for conf in "${CONFS[@]}"; do
    load "$conf"
    [ "$SERVICE_NAME" = "$name" ] && wait_healthy
  done
  log "$name started"
}

down() {
  local pidfile
  # The supervisor first, so that nothing it watches is started again while stopping.
  stop_pid "$SUPERVISOR_PIDFILE" supervisor
  for pidfile in "$RUN_DIR"/*.pid; do
    [ -e "$pidfile" ] || continue
    stop_pid "$pidfile" "$(basename "$pidfile" .pid)"
  done
  rm -f "$RUN_DIR"/*.restart "$RUN_DIR"/*.hold
}

status() {
  local conf rc=0
  [ ${#CONFS[@]} -gt 0 ] || { echo "services   none yet"; return 0; }
  if pid_alive "$SUPERVISOR_PIDFILE"; then
    printf '%-28s up    http://127.0.0.1:%s/metrics (pid %s)\n' supervisor \
      "$HULEEDU_SUPERVISOR_PORT" "$(cat "$SUPERVISOR_PIDFILE")"
  else
    printf '%-28s down\n' supervisor
  fi
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

"${1:-status}" "${@:2}"
