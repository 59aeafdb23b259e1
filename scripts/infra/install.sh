#!/usr/bin/env bash
# Installs whatever this machine lacks for the local stack: Debian packages (PostgreSQL 15,
# Redis 7, kcat, Java, Maven), pdm and the locked Python environment, and Kafka's jars.
set -euo pipefail
source "$(dirname "$0")/env.sh"

need_pkgs=()
[ -x "$PG_BIN/postgres" ] || need_pkgs+=(postgresql postgresql-contrib)
command -v redis-server >/dev/null || need_pkgs+=(redis-server)
command -v kcat >/dev/null || need_pkgs+=(kcat)
command -v java >/dev/null || need_pkgs+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_pkgs+=(maven)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if ! command -v pdm >/dev/null; then
  log "installing pdm"
  # pdm[locked] pins pdm's own dependencies; a plain 'pip install pdm' breaks 'pdm lock'.
  python3.11 -m pip install -q 'pdm[locked]'
fi

cd "$ROOT_DIR"
if [ ! -x "$VENV_PY" ] || [ pdm.lock -nt .venv/.synced ]; then
  log "syncing the Python environment from pdm.lock"
  # pdm creates .venv in the project (its default) with the interpreter pinned in .pdm-python.
  [ -x "$VENV_PY" ] || pdm venv create -f python3.11 >/dev/null
  pdm sync -G :all --no-self -q
  touch .venv/.synced
fi

"$(dirname "$0")/kafka.sh" resolve
