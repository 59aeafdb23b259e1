#!/usr/bin/env bash
# The teacher web app (clients/teacher_web), which the gateway serves at / from its dist/.
#   web.sh build    npm ci when package-lock.json changed, npm run build when the sources
#                   changed (a hash of them is kept in clients/teacher_web/.build-stamp)
#   web.sh check [vitest args]   npm ci when needed, then vue-tsc (npm run typecheck) and
#                   vitest (npm test, with the arguments given, e.g. a JUnit reporter)
#   web.sh deps     npm ci when package-lock.json changed (fails unless Node.js is new enough)
set -euo pipefail
source "$(dirname "$0")/infra/env.sh"
APP="$ROOT_DIR/clients/teacher_web"
BUILD_STAMP="$APP/.build-stamp"
LOCK_STAMP="$APP/node_modules/.huleedu-package-lock.sha256"
BUILD_LOG="$HULEEDU_LOG_DIR/teacher-web-build.log"
# Vite 8, the app's bundler, needs Node.js 20.19 or newer (package.json "engines").
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19

web_log() { printf '[web] %s\n' "$*" >&2; }

require_node() {
  command -v node >/dev/null && command -v npm >/dev/null \
    || die "Node.js >= $NODE_MIN_MAJOR.$NODE_MIN_MINOR with npm is needed for the teacher web app (Debian: apt-get install nodejs npm, or https://nodejs.org)"
  local version major minor
  version=$(node --version)
  IFS=. read -r major minor _ <<<"${version#v}"
  if [ "$major" -lt "$NODE_MIN_MAJOR" ] \
    || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -lt "$NODE_MIN_MINOR" ]; }; then
    die "Node.js $version is too old for the teacher web app: $NODE_MIN_MAJOR.$NODE_MIN_MINOR or newer is needed"
  fi
}

sha() { sha256sum | cut -d' ' -f1; }

# Everything the build reads: a change to any of it means a new dist/.
sources_hash() {
  (
    cd "$APP"
    local paths=() path
    for path in src public scripts index.html package.json package-lock.json tsconfig*.json \
      vite.config.*; do
      [ -e "$path" ] && paths+=("$path")
    done
    find "${paths[@]}" -type f -print0 | sort -z | xargs -0 sha256sum | sha
  )
}

# npm ci only when package-lock.json differs from the one node_modules was installed from.
ensure_deps() {
  require_node
  local lock
  lock=$(sha <"$APP/package-lock.json")
  if [ -f "$LOCK_STAMP" ] && [ "$(cat "$LOCK_STAMP")" = "$lock" ]; then return 0; fi
  web_log "installing the web app's packages (npm ci)"
  (cd "$APP" && npm ci --no-audit --no-fund --loglevel=error) \
    || die "npm ci failed in clients/teacher_web"
  echo "$lock" >"$LOCK_STAMP"
}

build() {
  mkdir -p "$HULEEDU_LOG_DIR"
  # One build at a time (make up and make test may both ask).
  exec 9>"$HULEEDU_LOCAL_DIR/teacher-web-build.lock"
  flock 9
  ensure_deps
  local hash
  hash=$(sources_hash)
  if [ -f "$APP/dist/index.html" ] && [ -f "$BUILD_STAMP" ] && [ "$(cat "$BUILD_STAMP")" = "$hash" ]; then
    return 0
  fi
  web_log "building the teacher web app (npm run build; log: $BUILD_LOG)"
  if ! (cd "$APP" && npm run build) >"$BUILD_LOG" 2>&1; then
    tail -n 20 "$BUILD_LOG" >&2
    die "the teacher web app did not build; see $BUILD_LOG"
  fi
  echo "$hash" >"$BUILD_STAMP"
  web_log "built clients/teacher_web/dist (served at http://127.0.0.1:8080/)"
}

check() {
  ensure_deps
  (cd "$APP" && npm run --silent typecheck && npm run --silent test -- "$@")
}

case "${1:-}" in
  build) build ;;
  check) check "${@:2}" ;;
  deps) ensure_deps ;;
  *) echo "usage: web.sh build|check|deps" >&2; exit 2 ;;
esac
