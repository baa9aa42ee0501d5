#!/usr/bin/env bash
# A real single-node Apache Kafka 4.x broker (KRaft, broker+controller in one JVM)
# for development and CI, without Docker: jars from Maven Central, run with the JDK.
#
#   deploy/kafka/kafka.sh fetch    download the broker jars once into the cache
#   deploy/kafka/kafka.sh up       fresh data dir, format, start, wait until ready
#   deploy/kafka/kafka.sh down     stop and delete the data dir
#   deploy/kafka/kafka.sh stop     stop, keep the data          (fault injection)
#   deploy/kafka/kafka.sh kill     SIGKILL the broker, keep the data (crash; the next start
#                                  waits ~9 s more: broker.session.timeout.ms of the old registration)
#   deploy/kafka/kafka.sh start    start again on the same data, wait until ready
#   deploy/kafka/kafka.sh restart  stop + start
#   deploy/kafka/kafka.sh status   exit 0 when running and answering
#   deploy/kafka/kafka.sh kcat     install kcat if missing, print its path
#   deploy/kafka/kafka.sh logs     tail the broker log
#   deploy/kafka/kafka.sh smoke    transactional commit/abort + read_committed check (TxnSmoke.java, needs a JDK)
#   deploy/kafka/kafka.sh tool C   run a Kafka CLI main class on the cached jars, e.g.
#                                  tool org.apache.kafka.tools.TopicCommand --list --bootstrap-server 127.0.0.1:9092
#
# Environment (all optional):
#   SCRUBD_CACHE                  cache root                      ($HOME/.cache/scrubd)
#   SCRUBD_KAFKA_VERSION          Kafka version from Maven Central (4.4.0)
#   SCRUBD_KAFKA_DIR              data + config + logs dir        (/tmp/scrubd-kafka)
#   SCRUBD_KAFKA_PORT             PLAINTEXT client port           (9092)
#   SCRUBD_KAFKA_CONTROLLER_PORT  KRaft controller port           (9093)
#   SCRUBD_KAFKA_TIMEOUT          seconds to wait for readiness   (90)
#   SCRUBD_KAFKA_HEAP             JVM heap flags                  (-Xms256m -Xmx512m)
#   SCRUBD_KAFKA_LOG_LEVEL        log4j2 root level of the broker (WARN)
#   SCRUBD_KAFKA_EXTRA_PROPS      extra server.properties lines (newline separated), appended
#                                 last so they override the defaults written by `up`
#   SCRUBD_KAFKA_PROBE            readiness probe: auto | kcat | java (auto: kcat when on PATH)
#   JAVA_HOME                     JDK/JRE to use (java on PATH otherwise; 17+ needed)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
POM="$SCRIPT_DIR/pom.xml"

KAFKA_VERSION="${SCRUBD_KAFKA_VERSION:-4.4.0}"
CACHE_ROOT="${SCRUBD_CACHE:-${HOME:-/root}/.cache/scrubd}"
KAFKA_DIR="${SCRUBD_KAFKA_DIR:-/tmp/scrubd-kafka}"
PORT="${SCRUBD_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${SCRUBD_KAFKA_CONTROLLER_PORT:-9093}"
HOST=127.0.0.1
TIMEOUT="${SCRUBD_KAFKA_TIMEOUT:-90}"
HEAP="${SCRUBD_KAFKA_HEAP:--Xms256m -Xmx512m}"
LOG_LEVEL="${SCRUBD_KAFKA_LOG_LEVEL:-WARN}"
PROBE="${SCRUBD_KAFKA_PROBE:-auto}"

# Files inside the data dir.
MARKER="$KAFKA_DIR/.scrubd-kafka"      # proves the dir is ours before rm -rf
PIDFILE="$KAFKA_DIR/kafka.pid"
PROPS="$KAFKA_DIR/server.properties"
LOG4J="$KAFKA_DIR/log4j2.xml"
TOOLS_LOG4J="$KAFKA_DIR/tools-log4j2.xml"
CLIENT_PROPS="$KAFKA_DIR/probe-client.properties"
VERSION_FILE="$KAFKA_DIR/kafka.version"
LOG_DIR="$KAFKA_DIR/logs"
DATA_DIR="$KAFKA_DIR/data"

# For an existing data dir, the ports it was set up with win over the defaults (so `start`,
# `status`, `smoke` find a broker that `up` started with SCRUBD_KAFKA_PORT=...).
load_ports_from_props() {
  [[ -f "$PROPS" ]] || return 0
  local p
  if [[ -z "${SCRUBD_KAFKA_PORT:-}" ]]; then
    p="$(sed -n 's/^listeners=PLAINTEXT:\/\/[^:]*:\([0-9]*\).*/\1/p' "$PROPS")"
    [[ -n "$p" ]] && PORT="$p"
  fi
  if [[ -z "${SCRUBD_KAFKA_CONTROLLER_PORT:-}" ]]; then
    p="$(sed -n 's/^controller.quorum.bootstrap.servers=[^:]*:\([0-9]*\).*/\1/p' "$PROPS")"
    [[ -n "$p" ]] && CONTROLLER_PORT="$p"
  fi
  return 0
}

log() { printf 'kafka.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

libs_dir() { printf '%s/kafka-%s/libs' "$CACHE_ROOT" "$1"; }

# ---------------------------------------------------------------- java

java_bin() {
  local j
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then j="$JAVA_HOME/bin/java"
  else j="$(command -v java || true)"; fi
  [[ -n "$j" ]] || die "java not found (install a JDK 17+ or set JAVA_HOME)"
  local v
  v="$("$j" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')"
  local major="${v%%.*}"
  [[ "$major" == 1 ]] && major="$(cut -d. -f2 <<<"$v")"
  [[ "$major" =~ ^[0-9]+$ && "$major" -ge 17 ]] || die "Kafka $KAFKA_VERSION needs Java 17+, $j is '$v'"
  printf '%s' "$j"
}

# Sets TOOL_ARGV to the java command line for a Kafka CLI main class on the cached jars
# (quiet logging, small heap, fast start).
tool_argv() {
  local libs java
  libs="$(libs_dir "$(data_version)")"
  [[ -f "$libs/.complete" ]] || die "no jars for Kafka $(data_version) in $libs (run: $0 fetch)"
  java="$(java_bin)"
  TOOL_ARGV=("$java" -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto)
  [[ -f "$TOOLS_LOG4J" ]] && TOOL_ARGV+=("-Dlog4j2.configurationFile=$TOOLS_LOG4J")
  TOOL_ARGV+=(-cp "$libs/*")
}

run_tool() { tool_argv; "${TOOL_ARGV[@]}" "$@"; }

# ---------------------------------------------------------------- fetch

cmd_fetch() {
  local libs; libs="$(libs_dir "$KAFKA_VERSION")"
  if [[ -f "$libs/.complete" ]]; then
    log "Kafka $KAFKA_VERSION already cached in $libs"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (needed once to fetch Kafka jars from Maven Central)"
  [[ -f "$POM" ]] || die "missing $POM"
  local base; base="$(dirname "$libs")"
  mkdir -p "$base"
  # One fetch at a time (parallel CI jobs or make -j).
  exec 9>"$base/.fetch.lock"
  flock 9
  if [[ -f "$libs/.complete" ]]; then
    log "Kafka $KAFKA_VERSION already cached in $libs"
    exec 9>&-; return 0
  fi
  local t0; t0="$(now)"
  local repo="$base/m2"           # private Maven repo: independent of ~/.m2, removed afterwards
  local tmp="$base/libs.tmp.$$"
  rm -rf "$tmp"
  log "fetching org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its runtime dependencies with mvn ..."
  if ! (cd "$base" && mvn -B -q --no-transfer-progress -Dstyle.color=never -f "$POM" \
          -Dmaven.repo.local="$repo" -Dkafka.version="$KAFKA_VERSION" \
          dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 \
          | sed 's/\x1b\[[0-9;]*m//g' >&2); then   # Maven 3.8 prints colour codes even with -q
    rm -rf "$tmp" "$repo"
    die "mvn failed to fetch Kafka $KAFKA_VERSION (is Maven Central reachable? is the version served?)"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || { rm -rf "$tmp"; die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn"; }
  rm -rf "$libs"
  mv "$tmp" "$libs"
  touch "$libs/.complete"
  [[ -n "${SCRUBD_KAFKA_KEEP_M2:-}" ]] || rm -rf "$repo"
  exec 9>&-
  log "fetched Kafka $KAFKA_VERSION into $libs ($(du -sh "$libs" | cut -f1), $(find "$libs" -name "*.jar" | wc -l) jars) in $(elapsed "$t0") s"
}

# ---------------------------------------------------------------- process helpers

# Version the data dir was formatted with (start must use the same jars).
data_version() {
  if [[ -f "$VERSION_FILE" ]]; then cat "$VERSION_FILE"; else printf '%s' "$KAFKA_VERSION"; fi
}

is_our_broker() { # pid -> true if it is the kafka.Kafka JVM started on our server.properties
  local pid="$1"
  [[ "$pid" =~ ^[0-9]+$ && -r "/proc/$pid/cmdline" ]] || return 1
  local comm=""
  read -r comm <"/proc/$pid/comm" 2>/dev/null || true
  [[ "$comm" == java ]] || return 1
  local cl; cl="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)"
  [[ "$cl" == *" kafka.Kafka $PROPS " ]]
}

# Prints the broker pid if running (pid file first; else the JVM whose command line names
# this exact server.properties, in case the pid file was lost).
broker_pid() {
  local pid=""
  [[ -f "$PIDFILE" ]] && pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  if is_our_broker "$pid"; then printf '%s' "$pid"; return 0; fi
  local d p
  for d in /proc/[0-9]*; do
    p="${d#/proc/}"
    if is_our_broker "$p"; then printf '%s' "$p"; return 0; fi
  done
  return 1
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

have_kcat() { command -v kcat >/dev/null 2>&1; }

# One metadata round trip to the broker; 0 when it answers with itself in the broker list.
probe_once() {
  local mode="$PROBE"
  [[ "$mode" == auto ]] && { if have_kcat; then mode=kcat; else mode=java; fi; }
  case "$mode" in
    kcat)
      local out
      out="$(timeout 10 kcat -L -b "$HOST:$PORT" -m 5 2>/dev/null)" || return 1
      grep -q "broker 1 at" <<<"$out"
      ;;
    java)
      # TopicCommand --list: an AdminClient metadata request, bounded by the client timeouts.
      tool_argv
      timeout 30 "${TOOL_ARGV[@]}" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "$HOST:$PORT" --command-config "$CLIENT_PROPS" --list >/dev/null 2>&1
      ;;
    *) die "SCRUBD_KAFKA_PROBE must be auto, kcat or java" ;;
  esac
}

show_log_tail() {
  local f
  for f in "$LOG_DIR/kafka.out" "$LOG_DIR/server.log"; do
    [[ -s "$f" ]] || continue
    log "---- last lines of $f"
    tail -n 25 "$f" >&2
  done
}

wait_ready() { # t0
  local t0="$1" pid deadline
  deadline=$(( $(date +%s) + TIMEOUT ))
  while :; do
    if ! pid="$(broker_pid)"; then
      show_log_tail
      die "broker process exited during startup"
    fi
    if port_open "$PORT" && probe_once; then
      log "Kafka $(data_version) ready on $HOST:$PORT (pid $pid) after $(elapsed "$t0") s"
      return 0
    fi
    if (( $(date +%s) >= deadline )); then
      show_log_tail
      die "broker not ready after ${TIMEOUT}s (pid $pid still running; see $LOG_DIR)"
    fi
    sleep 0.5
  done
}

# ---------------------------------------------------------------- config

check_dir_is_safe() {
  case "$KAFKA_DIR" in
    ""|/|/tmp|/tmp/|"${HOME:-/root}"|"${HOME:-/root}/") die "refusing to use SCRUBD_KAFKA_DIR='$KAFKA_DIR'" ;;
  esac
  if [[ -d "$KAFKA_DIR" && ! -f "$MARKER" && -n "$(ls -A "$KAFKA_DIR" 2>/dev/null)" ]]; then
    die "$KAFKA_DIR exists, is not empty and was not made by kafka.sh; refusing to delete it"
  fi
}

write_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  touch "$MARKER"
  printf '%s\n' "$KAFKA_VERSION" >"$VERSION_FILE"
  cat >"$PROPS" <<EOF
# Written by deploy/kafka/kafka.sh up: single-node KRaft dev/CI broker. Not for production.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR

# One broker: every internal topic with replication 1 and min ISR 1,
# otherwise consumer groups and transactions never get a coordinator.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
default.replication.factor=1
min.insync.replicas=1
num.partitions=1
auto.create.topics.enable=true

# Tests: no 3 s wait before the first rebalance of a new group.
group.initial.rebalance.delay.ms=0

# Small machine: smaller log-cleaner buffer (default 128 MiB) and fewer threads.
log.cleaner.dedupe.buffer.size=16777216
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
  if [[ -n "${SCRUBD_KAFKA_EXTRA_PROPS:-}" ]]; then
    printf '\n# SCRUBD_KAFKA_EXTRA_PROPS\n%s\n' "$SCRUBD_KAFKA_EXTRA_PROPS" >>"$PROPS"
  fi

  cat >"$LOG4J" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by deploy/kafka/kafka.sh: broker logs at $LOG_LEVEL to $LOG_DIR/server.log -->
<Configuration status="WARN">
  <Appenders>
    <RollingFile name="server" fileName="$LOG_DIR/server.log" filePattern="$LOG_DIR/server.log.%i">
      <PatternLayout pattern="[%d] %p %m (%c)%n"/>
      <Policies><SizeBasedTriggeringPolicy size="50 MB"/></Policies>
      <DefaultRolloverStrategy max="2"/>
    </RollingFile>
  </Appenders>
  <Loggers>
    <Root level="$LOG_LEVEL"><AppenderRef ref="server"/></Root>
  </Loggers>
</Configuration>
EOF

  cat >"$TOOLS_LOG4J" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders><Console name="stderr" target="SYSTEM_ERR"><PatternLayout pattern="[%d] %p %m (%c)%n"/></Console></Appenders>
  <Loggers><Root level="ERROR"><AppenderRef ref="stderr"/></Root></Loggers>
</Configuration>
EOF

  cat >"$CLIENT_PROPS" <<'EOF'
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

# Kafka cluster ids are 16 random bytes, base64url without padding (not starting with '-').
random_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ ${#id} -eq 22 && "$id" != -* ]] && { printf '%s' "$id"; return; }
  done
}

format_storage() {
  local id; id="$(random_cluster_id)"
  printf '%s\n' "$id" >"$KAFKA_DIR/cluster.id"
  run_tool kafka.tools.StorageTool format --cluster-id "$id" --config "$PROPS" --standalone \
    >"$LOG_DIR/format.out" 2>&1 || { cat "$LOG_DIR/format.out" >&2; die "storage format failed"; }
}

# ---------------------------------------------------------------- start / stop

check_ports_free() {
  if port_open "$PORT"; then die "port $PORT is already in use by another process (not this broker)"; fi
  if port_open "$CONTROLLER_PORT"; then die "controller port $CONTROLLER_PORT is already in use"; fi
}

launch() {
  local libs java
  libs="$(libs_dir "$(data_version)")"
  [[ -f "$libs/.complete" ]] || die "no jars for Kafka $(data_version) in $libs (run: $0 fetch)"
  java="$(java_bin)"
  check_ports_free
  mkdir -p "$LOG_DIR"
  # shellcheck disable=SC2086  # HEAP is a list of flags
  setsid nohup "$java" $HEAP -server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent \
      -XX:+ExitOnOutOfMemoryError -XX:ErrorFile="$LOG_DIR/hs_err_%p.log" \
      -Djava.awt.headless=true -Dkafka.logs.dir="$LOG_DIR" \
      -Dlog4j2.configurationFile="$LOG4J" \
      -cp "$libs/*" kafka.Kafka "$PROPS" \
      </dev/null >>"$LOG_DIR/kafka.out" 2>&1 &
  local pid=$!
  printf '%s\n' "$pid" >"$PIDFILE"
  sleep 0.2
  if ! is_our_broker "$pid"; then
    # setsid forked (we were a process group leader): find the JVM by its config path.
    pid="$(broker_pid)" || { show_log_tail; die "broker did not start"; }
    printf '%s\n' "$pid" >"$PIDFILE"
  fi
  log "started Kafka $(data_version) (pid $pid), data in $KAFKA_DIR"
}

kill_broker() {
  local pid
  pid="$(broker_pid)" || { log "broker not running"; return 0; }
  kill -KILL "$pid" 2>/dev/null || true
  local i
  for (( i = 0; i < 50; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$PIDFILE"
  log "killed broker (pid $pid) with SIGKILL, data kept in $KAFKA_DIR"
}

stop_broker() {
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PIDFILE"
    log "broker not running"
    return 0
  fi
  local t0; t0="$(now)"
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for (( i = 0; i < 200; i++ )); do          # up to 20 s for a controlled shutdown
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "broker (pid $pid) still running after 20 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for (( i = 0; i < 50; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$PIDFILE"
  log "stopped broker (pid $pid) in $(elapsed "$t0") s"
}

cmd_up() {
  local pid
  if pid="$(broker_pid)"; then
    load_ports_from_props
    log "already running (pid $pid) on $HOST:$PORT, data in $KAFKA_DIR"
    probe_once || log "warning: running but not answering yet; try: $0 status"
    return 0
  fi
  local t0; t0="$(now)"
  cmd_fetch
  check_dir_is_safe
  check_ports_free
  rm -rf "$KAFKA_DIR"
  write_config
  format_storage
  launch
  wait_ready "$t0"
}

cmd_start() {
  local pid
  if pid="$(broker_pid)"; then log "already running (pid $pid)"; return 0; fi
  [[ -f "$PROPS" && -f "$MARKER" ]] || die "no broker data in $KAFKA_DIR (run: $0 up)"
  local t0; t0="$(now)"
  launch
  wait_ready "$t0"
}

cmd_stop() { stop_broker; }

cmd_down() {
  stop_broker
  if [[ -d "$KAFKA_DIR" ]]; then
    check_dir_is_safe
    rm -rf "$KAFKA_DIR"
    log "deleted $KAFKA_DIR"
  fi
}

cmd_status() {
  local pid
  pid="$(broker_pid)" || { log "not running"; return 1; }
  if port_open "$PORT" && probe_once; then
    log "running (pid $pid), answering on $HOST:$PORT, Kafka $(data_version), data in $KAFKA_DIR"
    return 0
  fi
  log "running (pid $pid) but not answering on $HOST:$PORT"
  return 1
}

cmd_kcat() {
  if ! have_kcat; then
    local sudo=()
    if [[ "$(id -u)" -ne 0 ]]; then
      command -v sudo >/dev/null || die "kcat missing and not root without sudo: apt-get install kcat"
      sudo=(sudo)
    fi
    log "installing kcat with apt-get ..."
    export DEBIAN_FRONTEND=noninteractive
    if ! "${sudo[@]}" apt-get install -y -q kcat >&2; then
      "${sudo[@]}" apt-get update -q >&2
      "${sudo[@]}" apt-get install -y -q kcat >&2
    fi
  fi
  command -v kcat
}

cmd_smoke() {
  [[ -f "$PROPS" ]] || die "no broker in $KAFKA_DIR (run: $0 up)"
  tool_argv
  "${TOOL_ARGV[@]}" "$SCRIPT_DIR/TxnSmoke.java" "$HOST:$PORT"
}

cmd_logs() {
  local f="$LOG_DIR/server.log"
  [[ -f "$f" ]] || die "no log at $f"
  tail -n "${1:-50}" "$f"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    start|restart|status|smoke) load_ports_from_props ;;
  esac
  case "$cmd" in
    fetch)   cmd_fetch ;;
    up)      cmd_up ;;
    down)    cmd_down ;;
    stop)    cmd_stop ;;
    kill)    kill_broker ;;
    start)   cmd_start ;;
    restart) cmd_stop; cmd_start ;;
    status)  cmd_status ;;
    kcat)    cmd_kcat ;;
    logs)    cmd_logs "$@" ;;
    smoke)   cmd_smoke ;;
    tool)    [[ $# -gt 0 ]] || die "usage: $0 tool MAIN_CLASS [ARGS...]"; run_tool "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
