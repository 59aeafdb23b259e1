#!/usr/bin/env bash
# Shared settings for the local infrastructure scripts. Every value can be overridden by
# exporting the variable first; the Python settings (huleedu_service_libs.config.InfraSettings)
# read the same names, so services and scripts always agree.
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export HULEEDU_LOCAL_DIR="${HULEEDU_LOCAL_DIR:-$ROOT_DIR/.local}"
export HULEEDU_LOG_DIR="${HULEEDU_LOG_DIR:-$HULEEDU_LOCAL_DIR/logs}"

export HULEEDU_PG_HOST="${HULEEDU_PG_HOST:-127.0.0.1}"
export HULEEDU_PG_PORT="${HULEEDU_PG_PORT:-25432}"
export HULEEDU_PG_USER="${HULEEDU_PG_USER:-huleedu}"
export HULEEDU_PG_PASSWORD="${HULEEDU_PG_PASSWORD:-huleedu_dev_password}"

export HULEEDU_REDIS_HOST="${HULEEDU_REDIS_HOST:-127.0.0.1}"
export HULEEDU_REDIS_PORT="${HULEEDU_REDIS_PORT:-26379}"

export HULEEDU_KAFKA_HOST="${HULEEDU_KAFKA_HOST:-127.0.0.1}"
export HULEEDU_KAFKA_PORT="${HULEEDU_KAFKA_PORT:-29092}"
export HULEEDU_KAFKA_CONTROLLER_PORT="${HULEEDU_KAFKA_CONTROLLER_PORT:-29093}"
export HULEEDU_KAFKA_HEAP="${HULEEDU_KAFKA_HEAP:-768m}"
export HULEEDU_KAFKA_PARTITIONS="${HULEEDU_KAFKA_PARTITIONS:-3}"

# LanguageTool's HTTP server (grammar checks). The native server listens on loopback only;
# the host is where clients reach it (the compose file publishes the container's port there).
export HULEEDU_LANGUAGETOOL_HOST="${HULEEDU_LANGUAGETOOL_HOST:-127.0.0.1}"
export HULEEDU_LANGUAGETOOL_PORT="${HULEEDU_LANGUAGETOOL_PORT:-28081}"
export HULEEDU_LANGUAGETOOL_HEAP="${HULEEDU_LANGUAGETOOL_HEAP:-1g}"

# The operators' console. Fixed ports: prometheus.yml and alertmanager.yml name them, and the
# compose file runs the same containers on the host network with the same files.
PROMETHEUS_PORT=9090
ALERTMANAGER_PORT=9093
ALERT_RECEIVER_PORT=9095
PG_EXPORTER_PORT=9187
REDIS_EXPORTER_PORT=9121
# Shorter than the files' 15 s / 10 s / 1 m for tests that wait for an alert (make test sets
# them; see documentation/local-infrastructure.md).
export HULEEDU_PROMETHEUS_SCRAPE_INTERVAL="${HULEEDU_PROMETHEUS_SCRAPE_INTERVAL:-}"
export HULEEDU_PROMETHEUS_EVALUATION_INTERVAL="${HULEEDU_PROMETHEUS_EVALUATION_INTERVAL:-}"
export HULEEDU_ALERTMANAGER_GROUP_WAIT="${HULEEDU_ALERTMANAGER_GROUP_WAIT:-}"
export HULEEDU_ALERTMANAGER_GROUP_INTERVAL="${HULEEDU_ALERTMANAGER_GROUP_INTERVAL:-}"

# The compose v2 CLI plugin (built by install.sh): DOCKER_CONFIG=$HULEEDU_DOCKER_CONFIG docker compose.
# It lives in the user's cache, per version, so every clone on the machine builds it once.
COMPOSE_VERSION=v5.6.0
export HULEEDU_DOCKER_CONFIG="${HULEEDU_DOCKER_CONFIG:-${XDG_CACHE_HOME:-${HOME:-$HULEEDU_LOCAL_DIR}/.cache}/huleedu/compose-$COMPOSE_VERSION}"

# One database per service (ARCHITECTURE.md section 2) plus one for library tests.
HULEEDU_DATABASES=(
  huleedu_content huleedu_file huleedu_batch_orchestrator huleedu_essay_lifecycle
  huleedu_spellchecker huleedu_grammar huleedu_result_aggregator huleedu_class_management huleedu_libs_test
)

PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
VENV_PY="$ROOT_DIR/.venv/bin/python"

log() { printf '[infra] %s\n' "$*" >&2; }
die() { printf '[infra] ERROR: %s\n' "$*" >&2; exit 1; }

# show_status NAME up|down [WHERE]: one line of `make status`, aligned with scripts/stack.sh's.
show_status() { printf '%-28s %-5s %s\n' "$1" "$2" "${3:-}"; }

# pid_alive FILE: true when FILE holds the pid of a running process.
pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for SECONDS DESCRIPTION COMMAND...: poll COMMAND until it succeeds or time runs out.
wait_for() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && die "$what not ready after ${limit}s"
    sleep 0.2
  done
}

# start_daemon PIDFILE LOGFILE COMMAND...: run COMMAND in the background, output appended to
# LOGFILE, its pid in PIDFILE. setsid: a session of its own, like pg_ctl's and redis' daemons,
# so signals aimed at the caller's process group (Ctrl-C, a finished CI step or tool job)
# never reach the server.
start_daemon() {
  local pidfile=$1 logfile=$2; shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$logfile")"
  setsid nohup "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# wait_started PIDFILE LOGFILE SECONDS NAME COMMAND...: poll COMMAND until it succeeds, but fail
# at once (printing LOGFILE's last lines) when the process in PIDFILE has exited, e.g. because
# its port is taken, instead of waiting out the whole limit.
wait_started() {
  local pidfile=$1 logfile=$2 limit=$3 name=$4; shift 4
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ! pid_alive "$pidfile"; then
      rm -f "$pidfile"
      # The cause comes before pages of shutdown lines (Kafka's): its errors, then the end.
      grep -E "ERROR|FATAL|Caused by|[Ee]rror:" "$logfile" | tail -n 6 >&2 || true
      tail -n 10 "$logfile" >&2 || true
      die "$name exited while starting (errors and last lines of $logfile above)"
    fi
    [ "$SECONDS" -ge "$deadline" ] && die "$name not ready after ${limit}s (see $logfile)"
    sleep 0.2
  done
}

# stop_pid FILE NAME: TERM the process in FILE, wait up to 30 s, then KILL it.
stop_pid() {
  local file=$1 name=$2 pid
  if ! pid_alive "$file"; then rm -f "$file"; log "$name not running"; return 0; fi
  pid=$(cat "$file")
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then kill -KILL "$pid" 2>/dev/null || true; break; fi
    sleep 0.2
  done
  rm -f "$file"
  log "$name stopped (pid $pid)"
}

as_postgres() {
  # initdb refuses to run as root, so the server runs as the postgres system user.
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# check_ports NAME=PORT...: refuse a port inside Linux's ephemeral range. A client's own
# outgoing socket can take such a port (a broker reconnect storm did, and Kafka then could not
# bind its own port for minutes), so every port we listen on must lie below the range.
check_ports() {
  local range lo hi pair name port
  range=$(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo "32768 60999")
  read -r lo hi <<<"$range"
  for pair in "$@"; do
    name=${pair%%=*}; port=${pair#*=}
    [ -n "$port" ] || continue
    if [ "$port" -ge "$lo" ] && [ "$port" -le "$hi" ]; then
      die "$name=$port lies in Linux's ephemeral port range $lo-$hi (net.ipv4.ip_local_port_range): an outgoing connection may take it. Choose a port below $lo."
    fi
  done
}

# check_infra_ports: the infrastructure's configured ports, checked at install and start.
check_infra_ports() {
  check_ports "HULEEDU_PG_PORT=$HULEEDU_PG_PORT" "HULEEDU_REDIS_PORT=$HULEEDU_REDIS_PORT" \
    "HULEEDU_KAFKA_PORT=$HULEEDU_KAFKA_PORT" \
    "HULEEDU_KAFKA_CONTROLLER_PORT=$HULEEDU_KAFKA_CONTROLLER_PORT" \
    "HULEEDU_LANGUAGETOOL_PORT=$HULEEDU_LANGUAGETOOL_PORT"
}
