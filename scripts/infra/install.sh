#!/usr/bin/env bash
# Installs whatever this machine lacks for the local stack: Debian packages (PostgreSQL 15,
# Redis 7, kcat, Java, Maven, curl, Prometheus, Alertmanager and the PostgreSQL and Redis
# exporters, Chromium for the browser tests), pdm and the locked Python environment, Kafka's
# and LanguageTool's jars, the compose v2 CLI, and the teacher web app's npm packages (Node.js >= 20.19 needed).
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
# hunspell CLI, the reference of benchmarks/feedback_quality_bench.py.
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
# The browser tests (tests/e2e/browser) drive Debian's Chromium with Playwright; Playwright's
# own browser download is never used.
[ -x /usr/bin/chromium ] || need_pkgs+=(chromium)
command -v chromedriver >/dev/null || need_pkgs+=(chromium-driver)
# The operators' console (scripts/infra/prometheus.sh and friends).
OBSERVABILITY_PKGS=(prometheus prometheus-alertmanager prometheus-postgres-exporter
  prometheus-redis-exporter)
obs_pkgs=()
command -v promtool >/dev/null || obs_pkgs+=(prometheus)
command -v amtool >/dev/null || obs_pkgs+=(prometheus-alertmanager)
command -v prometheus-postgres-exporter >/dev/null || obs_pkgs+=(prometheus-postgres-exporter)
command -v prometheus-redis-exporter >/dev/null || obs_pkgs+=(prometheus-redis-exporter)
SUDO=""; [ "$(id -u)" = "0" ] || SUDO="sudo"
if [ ${#need_pkgs[@]} -gt 0 ] || [ ${#obs_pkgs[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
fi
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_pkgs[*]}"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi
if [ ${#obs_pkgs[@]} -gt 0 ]; then
  log "installing Debian packages: ${obs_pkgs[*]}"
  # Their maintainer scripts start system services on the default ports, which are ours
  # (9090, 9093, 9187, 9121). A policy-rc.d that answers 101 keeps invoke-rc.d and
  # deb-systemd-invoke from starting anything; --no-install-recommends keeps out the node
  # exporter. Only a policy file this script wrote is removed again.
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
    own_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${obs_pkgs[@]}" >/dev/null || { [ "$own_policy" = 0 ] || $SUDO rm -f "$policy"; exit 1; }
  [ "$own_policy" = 0 ] || $SUDO rm -f "$policy"
  # Under systemd the units were still enabled for the next boot; the stack starts its own.
  if [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now "${OBSERVABILITY_PKGS[@]}" >/dev/null 2>&1 || true
  fi
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
"$(dirname "$0")/languagetool.sh" install

# The teacher web app's packages (npm ci when package-lock.json changed); fails with a clear
# message when Node.js is missing or older than the app's build tools need.
"$ROOT_DIR/scripts/web.sh" deps

# The compose v2 CLI validates the compose files in `make test` (Debian's docker-compose 1.29
# cannot read `include:`). Built once from the Go module proxy (~1.5 min) as a docker CLI
# plugin: `DOCKER_CONFIG=$HULEEDU_DOCKER_CONFIG docker compose ...`. `go mod tidy` would drop
# the requirement (the scratch module imports nothing), so the package itself is fetched.
COMPOSE_BIN="$HULEEDU_DOCKER_CONFIG/cli-plugins/docker-compose"
if [ ! -x "$COMPOSE_BIN" ] || ! "$COMPOSE_BIN" version 2>/dev/null | grep -q "$COMPOSE_VERSION"; then
  command -v go >/dev/null \
    || die "Go is needed once to build the compose CLI $COMPOSE_VERSION (https://go.dev/dl)"
  log "building the compose CLI $COMPOSE_VERSION with Go (once, about 1.5 min)"
  scratch="$HULEEDU_LOCAL_DIR/tools/compose-build"
  rm -rf "$scratch"; mkdir -p "$scratch" "$(dirname "$COMPOSE_BIN")"
  (
    cd "$scratch"
    go mod init huleedu.local/compose-build
    go get "github.com/docker/compose/v5/cmd@$COMPOSE_VERSION"
    go build -ldflags "-s -w -X github.com/docker/compose/v5/internal.Version=$COMPOSE_VERSION" \
      -o "$scratch/docker-compose" github.com/docker/compose/v5/cmd
  ) >"$HULEEDU_LOCAL_DIR/tools/compose-build.log" 2>&1 \
    || die "building the compose CLI failed; see $HULEEDU_LOCAL_DIR/tools/compose-build.log"
  mv "$scratch/docker-compose" "$COMPOSE_BIN"
  rm -rf "$scratch"
fi
