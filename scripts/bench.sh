#!/usr/bin/env bash
# `make bench`: runs every benchmark under benchmarks/ and prints its numbers. Starts the
# infrastructure when it is not running and stops it again afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
source scripts/infra/env.sh
scripts/infra/install.sh
STARTED=0
if ! scripts/infra/infra.sh status >/dev/null 2>&1; then scripts/infra/infra.sh up; STARTED=1; fi
trap '[ "$STARTED" = 1 ] && scripts/infra/infra.sh down' EXIT
for bench in benchmarks/*_bench.py; do
  echo "== $bench"
  "$VENV_PY" "$bench" "$@"
done
