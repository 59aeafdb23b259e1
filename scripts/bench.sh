#!/usr/bin/env bash
# `make bench`: runs every benchmark under benchmarks/ and prints its numbers. Starts the
# infrastructure when it is not running and stops it again afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/infra/env.sh
scripts/infra/install.sh
# Stop afterwards only the servers that were down before (as scripts/test.sh does).
STARTED=()
for component in kafka redis postgres; do
  scripts/infra/"$component".sh running || STARTED+=("$component")
done
stop_started() { local c; for c in "${STARTED[@]}"; do scripts/infra/"$c".sh down || true; done; }
trap stop_started EXIT
scripts/infra/infra.sh up
for bench in benchmarks/*_bench.py; do
  echo "== $bench"
  "$VENV_PY" "$bench" "$@"
done
