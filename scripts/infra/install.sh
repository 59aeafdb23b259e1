#!/usr/bin/env bash
# Installs whatever this machine lacks for the local stack: Debian packages (PostgreSQL 15,
# Redis 7, kcat, Java, Maven, curl), pdm and the locked Python environment, and Kafka's jars.
set -euo pipefail
source "$(dirname "$0")/env.sh"
check_infra_ports

need_pkgs=()
[ -x "$PG_BIN/postgres" ] || need_pkgs+=(postgresql postgresql-contrib)
command -v redis-server >/dev/null || need_pkgs+=(redis-server)
command -v kcat >/dev/null || need_pkgs+=(kcat)
command -v java >/dev/null || need_pkgs+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need_pkgs+=(maven)
# Dictionaries for the spell checker (Swedish, US and British English hunspell) and unmunch;
# libhunspell's headers and a C++ compiler to build its Python binding (pdm sync below); the
# hunspell CLI, the reference of benchmarks/spelling_quality_bench.py.
[ -f /usr/share/hunspell/sv_SE.dic ] || need_pkgs+=(hunspell-sv)
[ -f /usr/share/hunspell/en_US.dic ] || need_pkgs+=(hunspell-en-us)
[ -f /usr/share/hunspell/en_GB.dic ] || need_pkgs+=(hunspell-en-gb)
command -v unmunch >/dev/null || need_pkgs+=(hunspell-tools)
[ -f /usr/include/hunspell/hunspell.hxx ] || need_pkgs+=(libhunspell-dev)
command -v g++ >/dev/null || need_pkgs+=(g++)
py_inc=$(python3.11 -c 'import sysconfig; print(sysconfig.get_path("include"))' 2>/dev/null || :)
[ -f "$py_inc/Python.h" ] || need_pkgs+=(python3.11-dev)  # pyenv builds have it; Debian's not
command -v hunspell >/dev/null || need_pkgs+=(hunspell)
command -v curl >/dev/null || need_pkgs+=(curl)  # scripts/stack.sh polls /healthz with it
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

# pdm[locked] pins pdm's own dependencies; a plain 'pip install pdm' breaks 'pdm lock'. Where
# the system Python is externally managed (Debian's), pdm goes into a venv of its own.
PDM=$(command -v pdm || true)
if [ -z "$PDM" ]; then
  log "installing pdm"
  if python3.11 -m pip install -q 'pdm[locked]' 2>/dev/null && command -v pdm >/dev/null; then
    PDM=$(command -v pdm)
  else
    python3.11 -m venv "$HULEEDU_LOCAL_DIR/tools/pdm" \
      || die "python3.11 -m venv failed (on Debian: apt-get install python3.11-venv)"
    "$HULEEDU_LOCAL_DIR/tools/pdm/bin/pip" install -q 'pdm[locked]'
    PDM="$HULEEDU_LOCAL_DIR/tools/pdm/bin/pdm"
  fi
fi

cd "$ROOT_DIR"
if [ ! -x "$VENV_PY" ] || [ pdm.lock -nt .venv/.synced ]; then
  log "syncing the Python environment from pdm.lock"
  # pdm creates .venv in the project (its default) with the interpreter pinned in .pdm-python.
  [ -x "$VENV_PY" ] || "$PDM" venv create -f python3.11 >/dev/null
  "$PDM" sync -G :all --no-self -q
  touch .venv/.synced
fi

"$(dirname "$0")/kafka.sh" resolve
