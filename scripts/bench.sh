#!/usr/bin/env bash
# `make bench`: runs every benchmark under benchmarks/ and prints its numbers. Starts the
# infrastructure and the service stack when they are not running, and stops exactly that
# again afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/infra/env.sh
scripts/infra/install.sh
source scripts/ensure_running.sh
trap cleanup_started EXIT
ensure_infra
# The batch-flow benchmark drives the whole platform, so the services must run too. A stack
# started here renders its logs as JSON, as production does (rendering is part of the cost);
# the prefix reaches only what ensure_stack starts, so a stack already running is left as is.
HULEEDU_LOG_FORMAT="${HULEEDU_LOG_FORMAT:-json}" ensure_stack
# The benchmarks' clients, stubs and sample files live in the test-support package.
export PYTHONPATH="$ROOT/tests/support${PYTHONPATH:+:$PYTHONPATH}"
# The idle-cost benchmark runs first, on a stack nothing has loaded yet. Run after the others,
# it would measure their aftermath: consumers draining, outbox relays and the spell checker
# catching up, retries pending; waiting for zero consumer lag would miss the outbox backlog
# and in-flight work, so it gets the stack before any load instead (its --settle seconds
# cover a stack this script has just started).
IDLE=benchmarks/idle_cost_bench.py
echo "== $IDLE"
"$VENV_PY" "$IDLE" "$@"
for bench in benchmarks/*_bench.py; do
  [ "$bench" != "$IDLE" ] || continue
  echo "== $bench"
  "$VENV_PY" "$bench" "$@"
done
