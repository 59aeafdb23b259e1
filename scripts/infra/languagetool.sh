#!/usr/bin/env bash
# LanguageTool 6.6's HTTP server (English and Swedish grammar and style rules) on loopback, for
# the grammar checks; jars resolved from Maven Central by languagetool/pom.xml.
# Usage: languagetool.sh install|up|down|status|running (start and stop: up and down)
set -euo pipefail
source "$(dirname "$0")/env.sh"
source "$(dirname "$0")/daemon.sh"

HERE="$(cd "$(dirname "$0")" && pwd)"
daemon LanguageTool languagetool "$HULEEDU_LANGUAGETOOL_PORT" "$HULEEDU_LOCAL_DIR/languagetool" \
  /v2/languages
# The first start reads the rule files of both languages; a few seconds, more on a busy machine.
START_LIMIT=90
POM="$HERE/languagetool/pom.xml"
CLASSPATH_FILE="$HULEEDU_LOCAL_DIR/languagetool-classpath.txt"
MAVEN_LOG="$HULEEDU_LOCAL_DIR/maven-languagetool.log"

# install: resolve the jars once into CLASSPATH_FILE, again whenever the pom changes.
install() {
  mkdir -p "$HULEEDU_LOCAL_DIR"
  if [ -s "$CLASSPATH_FILE" ] && [ "$CLASSPATH_FILE" -nt "$POM" ]; then return; fi
  log "resolving LanguageTool jars with Maven"
  mvn -q -B -f "$POM" dependency:build-classpath -Dmdep.outputFile="$CLASSPATH_FILE" \
    >"$MAVEN_LOG" 2>&1 || die "Maven could not resolve LanguageTool; see $MAVEN_LOG"
  # Maven leaves an unchanged classpath file as it was, older than the edited pom.
  touch "$CLASSPATH_FILE"
}

start() {
  install
  mkdir -p "$DIR"
  # Without --public the server accepts connections from this machine only.
  start_daemon "$PIDFILE" "$LOGFILE" java -Xms256m "-Xmx$HULEEDU_LANGUAGETOOL_HEAP" \
    -XX:+UseG1GC -Djava.awt.headless=true -cp "$(cat "$CLASSPATH_FILE")" \
    org.languagetool.server.HTTPServer --port "$HULEEDU_LANGUAGETOOL_PORT"
}

case "${1:-status}" in
  start) up ;;
  stop) down ;;
  *) "${1:-status}" ;;
esac
