#!/usr/bin/env bash
# Creates one database per service in the postgres container (docker-compose.infrastructure.yml
# mounts it into /docker-entrypoint-initdb.d). The list is HULEEDU_DATABASES from
# scripts/infra/env.sh; tests/test_compose_files.py fails when the two drift apart.
# Idempotent: existing databases are left alone, so it can be re-run after adding one.
set -euo pipefail

DATABASES=(
  huleedu_content huleedu_file huleedu_batch_orchestrator huleedu_essay_lifecycle
  huleedu_spellchecker huleedu_grammar huleedu_result_aggregator huleedu_class_management huleedu_libs_test
)

run_psql() { psql -X -q -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres "$@"; }

for db in "${DATABASES[@]}"; do
  if [ "$(run_psql -At -c "SELECT 1 FROM pg_database WHERE datname = '$db'")" != "1" ]; then
    run_psql -c "CREATE DATABASE \"$db\""
    echo "created database $db"
  fi
done
