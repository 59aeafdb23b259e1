#!/usr/bin/env bash
# The test suite behind `make test`: lint, types, then unit, integration and e2e tests.
# Starts the infrastructure (and the service stack for e2e) when it is not running, and
# stops afterwards exactly what it started. Usage: test.sh all|lint|types|web|unit|integration|e2e
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/infra/env.sh
export PDM_CHECK_UPDATE=false

source scripts/ensure_running.sh
trap cleanup_started EXIT

ensure_env() { scripts/infra/install.sh; }

# Integration tests publish on the registry topics; services of a running stack would consume
# those events and answer them, so the tests would see replies they did not cause.
refuse_running_services() {
  local pidfile running=()
  for pidfile in "$HULEEDU_LOCAL_DIR"/run/*.pid; do
    pid_alive "$pidfile" && running+=("$(basename "$pidfile" .pid)")
  done
  [ ${#running[@]} -eq 0 ] && return
  echo "Services of a running stack would answer the integration tests' events:" >&2
  printf '  %s\n' "${running[@]}" >&2
  echo "Stop them first with 'scripts/stack.sh down' (make test starts its own for e2e)." >&2
  exit 1
}

PYTEST=(.venv/bin/pytest -p no:cacheprovider --import-mode=importlib)
# Our code: libraries, services, scripts and tests.
CODE_DIRS=()
for d in libs services clients scripts tests benchmarks observability conftest.py; do [ -e "$d" ] && CODE_DIRS+=("$d"); done
TYPED_DIRS=(libs/common_core/common_core libs/huleedu_service_libs/huleedu_service_libs
  tests/support/huleedu_testing scripts benchmarks
  observability/grafana/huleedu_dashboards observability/grafana/generate.py)

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
  for pkg in services/*/*/__init__.py clients/*/*/__init__.py; do [ -e "$pkg" ] && dirs+=("$(dirname "$pkg")"); done
  .venv/bin/mypy "${dirs[@]}"
}

# HULEEDU_TEST_INFRA=containers: the integration fixtures start PostgreSQL, Redis and Kafka in
# containers themselves (documentation/testing.md), LanguageTool still runs natively; the e2e
# tier's stack still runs natively.
in_containers() { [ "${HULEEDU_TEST_INFRA:-native}" = containers ]; }
ensure_integration_infra() { if in_containers; then ensure_languagetool; else ensure_infra; fi; }

# The teacher web app: vue-tsc and vitest (its report joins the summary below).
web_checks() {
  echo "== web app: typecheck, vitest"
  scripts/web.sh check --reporter=default --reporter=junit --outputFile.junit="$RESULTS_DIR/web.xml"
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
  web) ensure_env; web_checks ;;
  unit) ensure_env; run_tier unit ;;
  integration) ensure_env; refuse_running_services; ensure_integration_infra; run_tier integration ;;
  e2e) ensure_env; scripts/web.sh build; ensure_infra; ensure_stack; run_tier e2e tests ;;
  all)
    ensure_env
    refuse_running_services
    lint
    types
    web_checks
    run_tier unit
    ensure_integration_infra
    run_tier integration
    if in_containers; then ensure_infra; fi
    scripts/web.sh build
    ensure_stack
    run_tier e2e tests
    summary
    ;;
  *) echo "usage: test.sh all|lint|types|web|unit|integration|e2e" >&2; exit 2 ;;
esac
