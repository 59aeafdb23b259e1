#!/usr/bin/env bash
# Sourced by scripts/test.sh and scripts/bench.sh: start the infrastructure and the service
# stack when they are not running, and afterwards stop exactly what was started here.
# Expects ROOT as the working directory and scripts/infra/env.sh already sourced.

# What this run starts, recorded before starting it so that even a failed start is undone,
# and so that servers and services someone else was already running are left alone.
STARTED_INFRA=()          # infrastructure components that were down (prometheus, ..., postgres)
STARTED_STACK=0
declare -A RUNNING_BEFORE=()  # service pid files that were alive before `stack.sh up`
cleanup_started() {
  local rc=$? pidfile component
  if [ "$STARTED_STACK" = 1 ]; then
    # The supervisor this run started owns every service process now: stopping it first
    # keeps it from starting again what is being stopped.
    stop_pid "$HULEEDU_LOCAL_DIR/supervisor.pid" supervisor
    for pidfile in "$HULEEDU_LOCAL_DIR"/run/*.pid; do
      [ -e "$pidfile" ] && [ -z "${RUNNING_BEFORE[$pidfile]:-}" ] || continue
      stop_pid "$pidfile" "$(basename "$pidfile" .pid)"
    done
  fi
  for component in "${STARTED_INFRA[@]}"; do scripts/infra/"$component".sh down || true; done
  exit $rc
}
# A Prometheus and Alertmanager started here (not ones already running) scrape, evaluate and
# notify faster than their files say, so that tests/e2e/test_prometheus_targets.py sees a
# stopped process's alert within the rule's for: plus two evaluation intervals: the failed
# scrape (<= 2 s), the first evaluation (<= 5 s) and group_wait (1 s) fit in one of them.
export HULEEDU_PROMETHEUS_SCRAPE_INTERVAL="${HULEEDU_PROMETHEUS_SCRAPE_INTERVAL:-2s}"
export HULEEDU_PROMETHEUS_EVALUATION_INTERVAL="${HULEEDU_PROMETHEUS_EVALUATION_INTERVAL:-5s}"
export HULEEDU_ALERTMANAGER_GROUP_WAIT="${HULEEDU_ALERTMANAGER_GROUP_WAIT:-1s}"
export HULEEDU_ALERTMANAGER_GROUP_INTERVAL="${HULEEDU_ALERTMANAGER_GROUP_INTERVAL:-2s}"

ensure_infra() {
  if scripts/infra/infra.sh status >/dev/null 2>&1; then
    "$VENV_PY" scripts/bootstrap_topics.py
    return
  fi
  local component
  # In stop order: Prometheus before what it watches, so stopping them raises no alerts.
  for component in prometheus alertmanager alert_receiver postgres_exporter redis_exporter \
    languagetool kafka redis postgres; do
    # Ownership follows the process, not a readiness probe that a loaded machine can miss.
    scripts/infra/"$component".sh running || STARTED_INFRA+=("$component")
  done
  scripts/infra/infra.sh up
}

# ensure_languagetool: the one native server the integration tests need beside the containers
# of HULEEDU_TEST_INFRA=containers (testing.containers has no LanguageTool).
ensure_languagetool() {
  scripts/infra/languagetool.sh running || STARTED_INFRA+=(languagetool)
  scripts/infra/languagetool.sh up
}

ensure_stack() {
  if scripts/stack.sh status >/dev/null 2>&1; then return; fi
  local pidfile
  for pidfile in "$HULEEDU_LOCAL_DIR"/run/*.pid; do
    pid_alive "$pidfile" && RUNNING_BEFORE["$pidfile"]=1
  done
  STARTED_STACK=1
  scripts/stack.sh up
}
