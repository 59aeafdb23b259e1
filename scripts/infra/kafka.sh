#!/usr/bin/env bash
# Apache Kafka 3.9 in KRaft mode (one node is broker and controller), jars resolved from Maven
# Central by kafka/pom.xml. Usage: kafka.sh resolve|up|down|status
set -euo pipefail
source "$(dirname "$0")/env.sh"

HERE="$(cd "$(dirname "$0")" && pwd)"
# HULEEDU_KAFKA_DIR lets a test run a private broker (own data, pid and ports) beside ours.
DIR="${HULEEDU_KAFKA_DIR:-$HULEEDU_LOCAL_DIR/kafka}"
PIDFILE="$DIR/kafka.pid"
CLASSPATH_FILE="$HULEEDU_LOCAL_DIR/kafka-classpath.txt"
KAFKA_LOG="$HULEEDU_LOG_DIR/kafka.log"
BOOTSTRAP="$HULEEDU_KAFKA_HOST:$HULEEDU_KAFKA_PORT"

ready() { kcat -b "$BOOTSTRAP" -L -m 5 2>/dev/null | grep -q "broker 1 at"; }

resolve() {
  mkdir -p "$HULEEDU_LOCAL_DIR"
  if [ -s "$CLASSPATH_FILE" ] && [ "$CLASSPATH_FILE" -nt "$HERE/kafka/pom.xml" ]; then return; fi
  log "resolving Kafka jars with Maven"
  mvn -q -B -f "$HERE/kafka/pom.xml" dependency:build-classpath \
    -Dmdep.outputFile="$CLASSPATH_FILE" >"$HULEEDU_LOCAL_DIR/maven.log" 2>&1 \
    || die "Maven could not resolve Kafka; see $HULEEDU_LOCAL_DIR/maven.log"
}

write_config() {
  cat >"$DIR/server.properties" <<CONF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HULEEDU_KAFKA_HOST:$HULEEDU_KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HULEEDU_KAFKA_HOST:$HULEEDU_KAFKA_PORT,CONTROLLER://$HULEEDU_KAFKA_HOST:$HULEEDU_KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$BOOTSTRAP
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DIR/data
num.partitions=$HULEEDU_KAFKA_PARTITIONS
# Topics come from scripts/bootstrap_topics.py, so a typo never creates a new topic.
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
CONF
  cat >"$DIR/log4j.properties" <<CONF
log4j.rootLogger=INFO, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.org.apache.kafka=WARN
log4j.logger.kafka.server.KafkaConfig=WARN
CONF
}

up() {
  if ready; then log "Kafka already running on $BOOTSTRAP"; return; fi
  if pid_alive "$PIDFILE"; then
    # Started but not answering yet (or started by a concurrent `up`): a second JVM would fail
    # on the data directory's lock, and overwriting the pid file would orphan this one.
    log "Kafka (pid $(cat "$PIDFILE")) is starting; waiting for it"
    wait_until_ready
    log "Kafka ready on $BOOTSTRAP (pid $(cat "$PIDFILE"))"
    return
  fi
  resolve
  mkdir -p "$DIR/data" "$HULEEDU_LOG_DIR"
  write_config
  local cp; cp=$(cat "$CLASSPATH_FILE")
  local java_opts=(-Xms256m "-Xmx$HULEEDU_KAFKA_HEAP" -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$DIR/log4j.properties")
  if [ ! -f "$DIR/data/meta.properties" ]; then
    local cluster_id; cluster_id=$(java -cp "$cp" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n1)
    java "${java_opts[@]}" -cp "$cp" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$DIR/server.properties" >>"$KAFKA_LOG" 2>&1
    log "formatted Kafka storage (cluster $cluster_id)"
  fi
  start_daemon "$PIDFILE" "$KAFKA_LOG" java "${java_opts[@]}" -cp "$cp" kafka.Kafka \
    "$DIR/server.properties"
  wait_until_ready
  log "Kafka ready on $BOOTSTRAP (pid $(cat "$PIDFILE"))"
}

wait_until_ready() { wait_started "$PIDFILE" "$KAFKA_LOG" 90 Kafka ready; }

down() { stop_pid "$PIDFILE" Kafka; }

# running: the JVM exists (ready or not): whoever started it owns it.
running() { pid_alive "$PIDFILE"; }

status() { if ready; then show_status kafka up "$BOOTSTRAP"; else show_status kafka down; return 1; fi; }

"${1:-status}"
