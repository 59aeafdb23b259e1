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
# The batch-flow benchmark drives the whole platform, so the services must run too.
ensure_stack
# The benchmarks' clients, stubs and sample files live in the test-support package.
export PYTHONPATH="$ROOT/tests/support${PYTHONPATH:+:$PYTHONPATH}"
for bench in benchmarks/*_bench.py; do
  echo "== $bench"
  "$VENV_PY" "$bench" "$@"
done
