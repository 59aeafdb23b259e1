#!/usr/bin/env bash
# The test suite behind `make test`: lint, types, then unit, integration and e2e tests.
# Starts the infrastructure (and the service stack for e2e) when it is not running, and
# stops afterwards exactly what it started. Usage: test.sh all|lint|types|unit|integration|e2e
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/infra/env.sh
export PDM_CHECK_UPDATE=false

# What this run starts, recorded before starting it so that even a failed start is undone,
# and so that servers and services someone else was already running are left alone.
STARTED_INFRA=()          # infrastructure components that were down (kafka, redis, postgres)
STARTED_STACK=0
declare -A RUNNING_BEFORE=()  # service pid files that were alive before `stack.sh up`
cleanup() {
  local rc=$? pidfile component
  if [ "$STARTED_STACK" = 1 ]; then
    for pidfile in "$HULEEDU_LOCAL_DIR"/run/*.pid; do
      [ -e "$pidfile" ] && [ -z "${RUNNING_BEFORE[$pidfile]:-}" ] || continue
      stop_pid "$pidfile" "$(basename "$pidfile" .pid)"
    done
  fi
  for component in "${STARTED_INFRA[@]}"; do scripts/infra/"$component".sh down || true; done
  exit $rc
}
trap cleanup EXIT

ensure_env() { scripts/infra/install.sh; }

ensure_infra() {
  if scripts/infra/infra.sh status >/dev/null 2>&1; then
    "$VENV_PY" scripts/bootstrap_topics.py
    return
  fi
  local component
  for component in kafka redis postgres; do
    # Ownership follows the process, not a readiness probe that a loaded machine can miss.
    scripts/infra/"$component".sh running || STARTED_INFRA+=("$component")
  done
  scripts/infra/infra.sh up
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

PYTEST=(.venv/bin/pytest -p no:cacheprovider --import-mode=importlib)
# Our code: libraries, services, scripts and tests.
CODE_DIRS=()
for d in libs services scripts tests benchmarks conftest.py; do [ -e "$d" ] && CODE_DIRS+=("$d"); done
TYPED_DIRS=(libs/common_core/common_core libs/huleedu_service_libs/huleedu_service_libs scripts benchmarks)

# pytest exits 5 when a tier has no tests yet; that is not a failure of the suite.
RESULTS_DIR="$HULEEDU_LOCAL_DIR/test-results"
rm -rf "$RESULTS_DIR"; mkdir -p "$RESULTS_DIR"

run_tier() {
  local marker=$1; shift
  echo "== tests: $marker"
  set +e
  "${PYTEST[@]}" -m "$marker" --junitxml="$RESULTS_DIR/$marker.xml" "$@"
  local rc=$?
  set -e
  [ "$rc" = 0 ] || [ "$rc" = 5 ] || exit "$rc"
}

lint() {
  echo "== ruff"
  .venv/bin/ruff check "${CODE_DIRS[@]}"
  .venv/bin/ruff format --check "${CODE_DIRS[@]}"
}

types() {
  echo "== mypy"
  local dirs=("${TYPED_DIRS[@]}")
  for pkg in services/*/*/__init__.py; do [ -e "$pkg" ] && dirs+=("$(dirname "$pkg")"); done
  .venv/bin/mypy "${dirs[@]}"
}

# One closing line for the whole run, summed over the tiers' JUnit reports.
summary() {
  "$VENV_PY" - "$RESULTS_DIR" <<'PY'
import pathlib, sys, xml.etree.ElementTree as ET
totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
for report in sorted(pathlib.Path(sys.argv[1]).glob("*.xml")):
    for suite in ET.parse(report).getroot().iter("testsuite"):
        for key in totals:
            totals[key] += int(suite.get(key, 0))
failed = totals["failures"] + totals["errors"]
passed = totals["tests"] - failed - totals["skipped"]
print(f"tests: {passed} passed, {failed} failed, {totals['skipped']} skipped")
PY
}

case "${1:-all}" in
  lint) ensure_env; lint ;;
  types) ensure_env; types ;;
  unit) ensure_env; run_tier unit ;;
  integration) ensure_env; ensure_infra; run_tier integration ;;
  e2e) ensure_env; ensure_infra; ensure_stack; run_tier e2e tests ;;
  all)
    ensure_env
    lint
    types
    run_tier unit
    ensure_infra
    run_tier integration
    ensure_stack
    run_tier e2e tests
    summary
    ;;
  *) echo "usage: test.sh all|lint|types|unit|integration|e2e" >&2; exit 2 ;;
esac
