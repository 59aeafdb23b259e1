#!/usr/bin/env bash
# Sourced by scripts/stack.sh: is a service's database already at its newest Alembic revision?
# Needs scripts/infra/env.sh sourced first (PostgreSQL coordinates).

# migration_head DIR: the revision(s) of DIR/migrations/versions that no other revision names
# as its down_revision (one line each; a single line when the history is linear).
migration_head() {
  local versions="$1/migrations/versions" revs downs
  revs=$(grep -hoE '^revision(: str)? = "[^"]+"' "$versions"/*.py | sed -E 's/.*"(.*)"/\1/')
  downs=$(grep -hoE '^down_revision[^=]*= "[^"]+"' "$versions"/*.py | sed -E 's/.*"(.*)"/\1/')
  grep -vxF -f <(printf '%s\n' "$downs") <<<"$revs" || true
}

# at_head DIR DATABASE: true when DATABASE's alembic_version is DIR's single head, so a
# restart can skip Alembic (a Python start and ~3 s of CPU per service; after a crash storm
# twelve overlapping runs drove the load to 11 on two cores).
at_head() {
  local head current
  head=$(migration_head "$1")
  [ -n "$head" ] && [ "$(wc -l <<<"$head")" = 1 ] || return 1
  current=$(PGPASSWORD="$HULEEDU_PG_PASSWORD" psql -h "$HULEEDU_PG_HOST" -p "$HULEEDU_PG_PORT" \
    -U "$HULEEDU_PG_USER" -d "$2" -tAc "SELECT version_num FROM alembic_version" 2>/dev/null) \
    || return 1
  [ "$current" = "$head" ]
}
