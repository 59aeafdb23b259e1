#!/usr/bin/env bash
# PostgreSQL 15 on loopback with its data under .local/postgres. Usage: postgres.sh up|down|status
set -euo pipefail
source "$(dirname "$0")/env.sh"

DATA="$HULEEDU_LOCAL_DIR/postgres/data"
RUN="$HULEEDU_LOCAL_DIR/postgres/run"
LOGFILE="$HULEEDU_LOG_DIR/postgres.log"

ready() { "$PG_BIN/pg_isready" -q -h "$HULEEDU_PG_HOST" -p "$HULEEDU_PG_PORT"; }

psql_admin() {
  PGPASSWORD="$HULEEDU_PG_PASSWORD" psql -X -q -v ON_ERROR_STOP=1 -h "$HULEEDU_PG_HOST" \
    -p "$HULEEDU_PG_PORT" -U "$HULEEDU_PG_USER" -d postgres "$@"
}

init_cluster() {
  mkdir -p "$DATA" "$RUN" "$HULEEDU_LOG_DIR"
  if [ "$(id -u)" = "0" ] && ! runuser -u postgres -- test -x "$HULEEDU_LOCAL_DIR"; then
    die "the postgres user cannot enter $HULEEDU_LOCAL_DIR (a parent folder is private);" \
      "set HULEEDU_LOCAL_DIR to a path it can reach, e.g. /var/tmp/huleedu"
  fi
  local pw
  pw=$(mktemp); printf '%s\n' "$HULEEDU_PG_PASSWORD" >"$pw"
  [ "$(id -u)" = "0" ] && chown -R postgres:postgres "$HULEEDU_LOCAL_DIR/postgres" "$pw"
  log "initialising PostgreSQL cluster in $DATA"
  as_postgres "$PG_BIN/initdb" -D "$DATA" -U "$HULEEDU_PG_USER" --pwfile="$pw" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pw"
  cat >>"$DATA/postgresql.conf" <<CONF
# HuleEdu local settings
listen_addresses = '$HULEEDU_PG_HOST'
unix_socket_directories = '$RUN'
max_connections = 300
shared_buffers = 256MB
CONF
}

up() {
  if ready; then log "PostgreSQL already running on $HULEEDU_PG_PORT"; create_databases; return; fi
  [ -f "$DATA/PG_VERSION" ] || init_cluster
  mkdir -p "$HULEEDU_LOG_DIR"; touch "$LOGFILE"
  [ "$(id -u)" = "0" ] && chown postgres:postgres "$LOGFILE"
  as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOGFILE" -o "-p $HULEEDU_PG_PORT" -w -t 60 start >/dev/null
  wait_for 60 PostgreSQL ready
  log "PostgreSQL ready on $HULEEDU_PG_HOST:$HULEEDU_PG_PORT"
  create_databases
}

create_databases() {
  local existing db
  existing=$(psql_admin -At -c "SELECT datname FROM pg_database")
  for db in "${HULEEDU_DATABASES[@]}"; do
    grep -qx "$db" <<<"$existing" || { psql_admin -c "CREATE DATABASE $db" && log "created database $db"; }
  done
}

down() {
  if [ -f "$DATA/postmaster.pid" ]; then
    as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t 60 stop >/dev/null && log "PostgreSQL stopped"
  else
    log "PostgreSQL not running"
  fi
}

# running: the server process exists (ready or not): whoever started it owns it.
running() { [ -f "$DATA/postmaster.pid" ] && kill -0 "$(head -n1 "$DATA/postmaster.pid")" 2>/dev/null; }

status() { if ready; then show_status postgres up "$HULEEDU_PG_HOST:$HULEEDU_PG_PORT"; else show_status postgres down; return 1; fi; }

"${1:-status}"
