#!/usr/bin/env bash
# A real Apache Kafka 4.x for development and CI, without Docker: jars from Maven Central,
# run with the JDK. One KRaft node (broker+controller in one JVM) by default; with
# SCRUBD_KAFKA_BROKERS=3 (`make kafka-up KAFKA_BROKERS=3`) a cluster of three combined
# broker+controller nodes on consecutive port pairs: clients on 9092, 9094, 9096, the
# controller quorum on 9093, 9095, 9097 (each node's client port + 1), replication 3 and
# min.insync.replicas 2 for every topic, internal ones included.
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
#   deploy/kafka/kafka.sh kill-broker N   SIGKILL broker N (1-based), keep its data (cluster faults)
#   deploy/kafka/kafka.sh stop-broker N   stop broker N gracefully (controlled shutdown; rolling restarts)
#   deploy/kafka/kafka.sh start-broker N  start broker N again on its data, wait until it answers
#   deploy/kafka/kafka.sh bootstrap [secure]  print the bootstrap list (host:port,...), of the
#                                  TLS+SCRAM listener with `secure`
#   deploy/kafka/kafka.sh secure-env  print the client settings of the TLS+SCRAM listener as
#                                  SCRUBD_KAFKA_* variables (bootstrap, CA file, user, password file)
#
# With one broker, kill/stop/start act on it; with a cluster on every node (start launches them
# all before waiting, since a node needs the controller quorum to start).
#
# TLS + SASL/SCRAM-SHA-512 (SCRUBD_KAFKA_SECURE=1 at `up`): each node gets a third listener,
# SECURE (SASL_SSL, SCRAM-SHA-512 only) on its client port + 100 (9192, 9194, 9196), with a
# certificate for 127.0.0.1/localhost signed by a CA generated with openssl into
# $SCRUBD_KAFKA_DIR/tls (ca.pem is what clients trust), and a SCRAM user (SCRUBD_KAFKA_SCRAM_USER,
# default scrubd) whose random password is in $SCRUBD_KAFKA_DIR/tls/scram.password, created
# at format time (kafka-storage format --add-scram). Brokers talk to each other over PLAINTEXT.
#
# Environment (all optional):
#   SCRUBD_CACHE                  cache root                      ($HOME/.cache/scrubd)
#   SCRUBD_KAFKA_VERSION          Kafka version from Maven Central (4.4.0)
#   SCRUBD_KAFKA_DIR              data + config + logs dir        (/tmp/scrubd-kafka)
#   SCRUBD_KAFKA_PORT             PLAINTEXT client port           (9092)
#   SCRUBD_KAFKA_CONTROLLER_PORT  KRaft controller port           (9093)
#   SCRUBD_KAFKA_TIMEOUT          seconds to wait for readiness   (90)
#   SCRUBD_KAFKA_HEAP             JVM heap flags (-Xms256m -Xmx512m; -Xms128m -Xmx256m per node of a cluster)
#   SCRUBD_KAFKA_LOG_LEVEL        log4j2 root level of the broker (WARN)
#   SCRUBD_KAFKA_EXTRA_PROPS      extra server.properties lines (newline separated), appended
#                                 last so they override the defaults written by `up`
#   SCRUBD_KAFKA_PROBE            readiness probe: auto | kcat | java (auto: kcat when on PATH)
#   SCRUBD_KAFKA_BROKERS          nodes started by `up`: 1 or 3 (1); other commands use what
#                                 `up` wrote into the data dir. With 3, SCRUBD_KAFKA_PORT is node
#                                 1's client port, node N's is that + 2(N-1), its controller's + 1
#   SCRUBD_KAFKA_SECURE           1: add the TLS+SCRAM listener at `up`
#   SCRUBD_KAFKA_SECURE_PORT      node 1's TLS+SCRAM port (client port + 100)
#   SCRUBD_KAFKA_SCRAM_USER       the SCRAM-SHA-512 user created at `up` (scrubd)
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
LOG_LEVEL="${SCRUBD_KAFKA_LOG_LEVEL:-WARN}"
PROBE="${SCRUBD_KAFKA_PROBE:-auto}"
BROKERS="${SCRUBD_KAFKA_BROKERS:-1}"
SECURE="${SCRUBD_KAFKA_SECURE:-0}"
SECURE_PORT="${SCRUBD_KAFKA_SECURE_PORT:-$(( PORT + 100 ))}"
SCRAM_USER="${SCRUBD_KAFKA_SCRAM_USER:-scrubd}"

# Files inside the data dir.
MARKER="$KAFKA_DIR/.scrubd-kafka"      # proves the dir is ours before rm -rf
TOOLS_LOG4J="$KAFKA_DIR/tools-log4j2.xml"
CLIENT_PROPS="$KAFKA_DIR/probe-client.properties"
VERSION_FILE="$KAFKA_DIR/kafka.version"
LAYOUT="$KAFKA_DIR/layout.env"         # brokers, ports and listeners `up` chose
TLS_DIR="$KAFKA_DIR/tls"
# Node 1's (and a single broker's) ports; select_node derives the others.
BASE_PORT="$PORT"
BASE_SECURE_PORT="$SECURE_PORT"
BASE_CONTROLLER_PORT="$CONTROLLER_PORT"

# select_node N points the per-node globals (files, ports) at node N. A single broker keeps
# the layout it always had (files at the top of the data dir); node N of a cluster lives in
# broker-N/ with ports BASE + 2(N-1), its controller on its client port + 1.
select_node() {
  NODE="$1"
  if (( BROKERS == 1 )); then
    NODE_DIR="$KAFKA_DIR"
    PORT="$BASE_PORT"; CONTROLLER_PORT="$BASE_CONTROLLER_PORT"; SECURE_PORT="$BASE_SECURE_PORT"
  else
    NODE_DIR="$KAFKA_DIR/broker-$NODE"
    PORT=$(( BASE_PORT + 2 * (NODE - 1) ))
    CONTROLLER_PORT=$(( PORT + 1 ))
    SECURE_PORT=$(( BASE_SECURE_PORT + 2 * (NODE - 1) ))
  fi
  PIDFILE="$NODE_DIR/kafka.pid"
  PROPS="$NODE_DIR/server.properties"
  LOG4J="$NODE_DIR/log4j2.xml"
  LOG_DIR="$NODE_DIR/logs"
  DATA_DIR="$NODE_DIR/data"
}

# Heap per JVM: three nodes share a small machine.
if [[ -n "${SCRUBD_KAFKA_HEAP:-}" ]]; then HEAP="$SCRUBD_KAFKA_HEAP"
elif (( BROKERS > 1 )); then HEAP="-Xms128m -Xmx256m"
else HEAP="-Xms256m -Xmx512m"; fi

# The layout an existing data dir was set up with wins over the defaults, so that kill-broker,
# start, status find the nodes `up` started (explicit SCRUBD_KAFKA_PORT etc. still win).
load_layout() {
  [[ -f "$LAYOUT" ]] || return 0
  local k v
  while IFS='=' read -r k v; do
    case "$k" in
      brokers) BROKERS="$v" ;;
      secure) SECURE="$v" ;;
      port) [[ -z "${SCRUBD_KAFKA_PORT:-}" ]] && BASE_PORT="$v" ;;
      controller_port) [[ -z "${SCRUBD_KAFKA_CONTROLLER_PORT:-}" ]] && BASE_CONTROLLER_PORT="$v" ;;
      secure_port) [[ -z "${SCRUBD_KAFKA_SECURE_PORT:-}" ]] && BASE_SECURE_PORT="$v" ;;
      scram_user) SCRAM_USER="$v" ;;
    esac
  done <"$LAYOUT"
  if [[ -z "${SCRUBD_KAFKA_HEAP:-}" ]] && (( BROKERS > 1 )); then HEAP="-Xms128m -Xmx256m"; fi
  return 0
}

# A data dir from before layout.env: the ports in its server.properties win over the defaults
# (so `start`, `status`, `smoke` find a broker that `up` started with SCRUBD_KAFKA_PORT=...).
load_ports_from_props() {
  local props="$KAFKA_DIR/server.properties"
  [[ ! -f "$LAYOUT" && -f "$props" ]] || return 0
  local p
  if [[ -z "${SCRUBD_KAFKA_PORT:-}" ]]; then
    p="$(sed -n 's/^listeners=PLAINTEXT:\/\/[^:]*:\([0-9]*\).*/\1/p' "$props" | head -n 1)"
    [[ -n "$p" ]] && BASE_PORT="$p"
  fi
  if [[ -z "${SCRUBD_KAFKA_CONTROLLER_PORT:-}" ]]; then
    p="$(sed -n 's/^controller.quorum.bootstrap.servers=[^:]*:\([0-9]*\).*/\1/p' "$props" | head -n 1)"
    [[ -n "$p" ]] && BASE_CONTROLLER_PORT="$p"
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

node_name() { if (( BROKERS == 1 )); then printf broker; else printf 'broker %s' "$NODE"; fi; }

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
      grep -q "broker $NODE at" <<<"$out"
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
      die "$(node_name) process exited during startup"
    fi
    if port_open "$PORT" && probe_once; then
      log "Kafka $(data_version) $(node_name) ready on $HOST:$PORT (pid $pid) after $(elapsed "$t0") s"
      return 0
    fi
    if (( $(date +%s) >= deadline )); then
      show_log_tail
      die "$(node_name) not ready after ${TIMEOUT}s (pid $pid still running; see $LOG_DIR)"
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

# The files every node shares: the version marker, the layout, tool logging, probe client.
write_shared_config() {
  mkdir -p "$KAFKA_DIR"
  touch "$MARKER"
  printf '%s\n' "$KAFKA_VERSION" >"$VERSION_FILE"
  printf 'brokers=%s\nport=%s\ncontroller_port=%s\nsecure=%s\nsecure_port=%s\nscram_user=%s\n' \
    "$BROKERS" "$BASE_PORT" "$BASE_CONTROLLER_PORT" "$SECURE" "$BASE_SECURE_PORT" "$SCRAM_USER" >"$LAYOUT"

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

# The controller quorum: one node standing alone (bootstrapped with --standalone), or the
# static voter set of a cluster.
quorum_props() {
  if (( BROKERS == 1 )); then
    printf 'controller.quorum.bootstrap.servers=%s:%s\n' "$HOST" "$CONTROLLER_PORT"
    return
  fi
  local n voters=""
  for (( n = 1; n <= BROKERS; n++ )); do
    voters+="${voters:+,}$n@$HOST:$(( BASE_PORT + 2 * (n - 1) + 1 ))"
  done
  printf 'controller.quorum.voters=%s\n' "$voters"
}

# The listeners of the selected node: PLAINTEXT for clients and brokers, CONTROLLER, and with
# SECURE=1 the TLS+SCRAM one.
listener_props() {
  local l="PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT"
  local map="CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
  if [[ "$SECURE" == 1 ]]; then
    l+=",SECURE://$HOST:$SECURE_PORT"
    map+=",SECURE:SASL_SSL"
  fi
  printf 'listeners=%s\nadvertised.listeners=%s\nlistener.security.protocol.map=%s\n' "$l" "$l" "$map"
  [[ "$SECURE" == 1 ]] || return 0
  local pw; pw="$(cat "$TLS_DIR/keystore.password")"
  cat <<EOF
# The TLS+SCRAM listener (SCRUBD_KAFKA_SECURE=1): SCRAM-SHA-512 only, certificate from $TLS_DIR.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.secure.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.secure.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.secure.ssl.keystore.type=PKCS12
listener.name.secure.ssl.keystore.location=$TLS_DIR/broker.p12
listener.name.secure.ssl.keystore.password=$pw
listener.name.secure.ssl.key.password=$pw
EOF
}

# Replication of the internal topics and the defaults: 1 on one broker (otherwise groups and
# transactions never get a coordinator), 3 with min ISR 2 on a cluster.
replication_props() {
  local rf=1 isr=1 parts=1
  if (( BROKERS > 1 )); then rf="$BROKERS"; isr=$(( BROKERS - 1 )); parts=3; fi
  cat <<EOF
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=$parts
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
transaction.state.log.num.partitions=$parts
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=$isr
default.replication.factor=$rf
min.insync.replicas=$isr
EOF
}

# Writes the selected node's server.properties and log4j2.xml.
write_node_config() {
  mkdir -p "$DATA_DIR" "$LOG_DIR"
  local what="single-node KRaft dev/CI broker"
  (( BROKERS > 1 )) && what="node $NODE of a $BROKERS-node KRaft dev/CI cluster"
  {
    printf '# Written by deploy/kafka/kafka.sh up: %s. Not for production.\n' "$what"
    printf 'process.roles=broker,controller\nnode.id=%s\n' "$NODE"
    quorum_props
    listener_props
    cat <<EOF
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA_DIR

EOF
    replication_props
    cat <<EOF
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
    if (( BROKERS > 1 )); then
      cat <<EOF

# Cluster faults: a restarted node rejoins the ISR once it has caught up; leaders move
# back to the preferred replica within 10 s of a node's return, so that each fault lands
# on the usual layout.
replica.lag.time.max.ms=10000
leader.imbalance.check.interval.seconds=10
num.replica.fetchers=1
EOF
    fi
    if [[ -n "${SCRUBD_KAFKA_EXTRA_PROPS:-}" ]]; then
      printf '\n# SCRUBD_KAFKA_EXTRA_PROPS\n%s\n' "$SCRUBD_KAFKA_EXTRA_PROPS"
    fi
  } >"$PROPS"

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
}

# A random secret for the dev listener: 24 bytes, base64url.
random_secret() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'; }

# The TLS material of the SECURE listener: a CA and one certificate for 127.0.0.1 and
# localhost (every node shares it: they all listen on 127.0.0.1), as a PKCS12 keystore for
# the brokers and PEM for clients; and the SCRAM user's password.
write_tls() {
  command -v openssl >/dev/null || die "openssl not found (needed for SCRUBD_KAFKA_SECURE=1)"
  mkdir -p "$TLS_DIR"
  chmod 700 "$TLS_DIR"
  local d="$TLS_DIR" pw
  pw="$(random_secret)"
  printf '%s' "$pw" >"$d/keystore.password"
  random_secret >"$d/scram.password"
  {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
      -keyout "$d/ca.key" -out "$d/ca.pem" -subj "/CN=scrubd dev CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
      -keyout "$d/broker.key" -out "$d/broker.csr" -subj "/CN=localhost"
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >"$d/broker.ext"
    openssl x509 -req -in "$d/broker.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
      -days 30 -out "$d/broker.pem" -extfile "$d/broker.ext"
    openssl pkcs12 -export -in "$d/broker.pem" -inkey "$d/broker.key" -certfile "$d/ca.pem" \
      -name broker -out "$d/broker.p12" -passout "pass:$pw"
  } >"$d/openssl.out" 2>&1 || { cat "$d/openssl.out" >&2; die "generating the TLS material failed"; }
  rm -f "$d/broker.csr" "$d/broker.ext" "$d/ca.srl"
  log "TLS+SCRAM: CA $d/ca.pem, SCRAM-SHA-512 user '$SCRAM_USER', password in $d/scram.password"
}

# Kafka cluster ids are 16 random bytes, base64url without padding (not starting with '-').
random_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ ${#id} -eq 22 && "$id" != -* ]] && { printf '%s' "$id"; return; }
  done
}

# Formats the selected node's storage for cluster id $1 (a lone node bootstraps its own
# quorum; cluster nodes name theirs in controller.quorum.voters). The SCRAM user is written
# into the bootstrap metadata, so it exists from the first start.
format_storage() {
  local id="$1" args
  args=(--cluster-id "$id" --config "$PROPS")
  (( BROKERS == 1 )) && args+=(--standalone)
  if [[ "$SECURE" == 1 ]]; then
    args+=(--add-scram "SCRAM-SHA-512=[name=$SCRAM_USER,password=$(cat "$TLS_DIR/scram.password")]")
  fi
  run_tool kafka.tools.StorageTool format "${args[@]}" \
    >"$LOG_DIR/format.out" 2>&1 || { cat "$LOG_DIR/format.out" >&2; die "storage format of $(node_name) failed"; }
}

# ---------------------------------------------------------------- start / stop

check_ports_free() {
  if port_open "$PORT"; then die "port $PORT is already in use by another process (not this broker)"; fi
  if port_open "$CONTROLLER_PORT"; then die "controller port $CONTROLLER_PORT is already in use"; fi
  if [[ "$SECURE" == 1 ]] && port_open "$SECURE_PORT"; then die "TLS+SCRAM port $SECURE_PORT is already in use"; fi
  return 0
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
    pid="$(broker_pid)" || { show_log_tail; die "$(node_name) did not start"; }
    printf '%s\n' "$pid" >"$PIDFILE"
  fi
  log "started Kafka $(data_version) $(node_name) (pid $pid), data in $NODE_DIR"
}

kill_broker() {
  local pid
  pid="$(broker_pid)" || { log "$(node_name) not running"; return 0; }
  kill -KILL "$pid" 2>/dev/null || true
  local i
  for (( i = 0; i < 50; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$PIDFILE"
  log "killed $(node_name) (pid $pid) with SIGKILL, data kept in $NODE_DIR"
}

stop_broker() {
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PIDFILE"
    log "$(node_name) not running"
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
    log "$(node_name) (pid $pid) still running after 20 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for (( i = 0; i < 50; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$PIDFILE"
  log "stopped $(node_name) (pid $pid) in $(elapsed "$t0") s"
}

# each_node CMD...: runs CMD with every node selected in turn.
each_node() {
  local n
  for (( n = 1; n <= BROKERS; n++ )); do select_node "$n"; "$@"; done
}

# any_running: 0 when some node's JVM is running (its pid printed).
any_running() {
  local n pid
  for (( n = 1; n <= BROKERS; n++ )); do
    select_node "$n"
    if pid="$(broker_pid)"; then printf '%s' "$pid"; return 0; fi
  done
  return 1
}

bootstrap_list() { # [secure]
  local n list=""
  for (( n = 1; n <= BROKERS; n++ )); do
    select_node "$n"
    if [[ "${1:-}" == secure ]]; then list+="${list:+,}$HOST:$SECURE_PORT"; else list+="${list:+,}$HOST:$PORT"; fi
  done
  printf '%s' "$list"
}

cmd_up() {
  case "$BROKERS" in 1|3) ;; *) die "SCRUBD_KAFKA_BROKERS must be 1 or 3, not '$BROKERS'" ;; esac
  local pid
  # A running broker or cluster is found by the layout it was set up with.
  if pid="$(load_layout; any_running)"; then
    load_layout
    log "already running (pid $pid) on $(bootstrap_list), data in $KAFKA_DIR"
    select_node 1
    probe_once || log "warning: running but not answering yet; try: $0 status"
    return 0
  fi
  local t0; t0="$(now)"
  cmd_fetch
  check_dir_is_safe
  each_node check_ports_free
  rm -rf "$KAFKA_DIR"
  write_shared_config
  if [[ "$SECURE" == 1 ]]; then write_tls; fi
  local id; id="$(random_cluster_id)"
  printf '%s\n' "$id" >"$KAFKA_DIR/cluster.id"
  each_node write_node_config
  each_node format_storage "$id"
  # Every node before waiting: a cluster node answers only once the quorum has a leader.
  each_node launch
  each_node wait_ready "$t0"
  if (( BROKERS > 1 )); then log "cluster of $BROKERS ready on $(bootstrap_list) after $(elapsed "$t0") s"; fi
  if [[ "$SECURE" == 1 ]]; then log "TLS+SCRAM listener(s): $(bootstrap_list secure)"; fi
  return 0
}

cmd_start() {
  [[ -f "$MARKER" ]] || die "no broker data in $KAFKA_DIR (run: $0 up)"
  local t0 n pid started=()
  t0="$(now)"
  # Every node first: a cluster node waits for the controller quorum before it answers.
  for (( n = 1; n <= BROKERS; n++ )); do
    select_node "$n"
    [[ -f "$PROPS" ]] || die "no data for $(node_name) in $NODE_DIR (run: $0 up)"
    if pid="$(broker_pid)"; then log "$(node_name) already running (pid $pid)"; continue; fi
    launch
    started+=("$n")
  done
  for n in "${started[@]}"; do select_node "$n"; wait_ready "$t0"; done
}

# node_arg N: checks that N is a node of this data dir and selects it.
node_arg() {
  [[ "${1:-}" =~ ^[0-9]+$ ]] && (( $1 >= 1 && $1 <= BROKERS )) || die "want a broker number from 1 to $BROKERS, not '${1:-}'"
  [[ -f "$MARKER" ]] || die "no broker data in $KAFKA_DIR (run: $0 up)"
  select_node "$1"
}

cmd_start_broker() {
  node_arg "$@"
  local pid
  if pid="$(broker_pid)"; then log "$(node_name) already running (pid $pid)"; return 0; fi
  [[ -f "$PROPS" ]] || die "no data for $(node_name) in $NODE_DIR (run: $0 up)"
  local t0; t0="$(now)"
  launch
  wait_ready "$t0"
}

cmd_down() {
  each_node stop_broker
  if [[ -d "$KAFKA_DIR" ]]; then
    check_dir_is_safe
    rm -rf "$KAFKA_DIR"
    log "deleted $KAFKA_DIR"
  fi
}

cmd_status() {
  local pid n rc=0
  for (( n = 1; n <= BROKERS; n++ )); do
    select_node "$n"
    if ! pid="$(broker_pid)"; then log "$(node_name) not running"; rc=1; continue; fi
    if port_open "$PORT" && probe_once; then
      log "$(node_name) running (pid $pid), answering on $HOST:$PORT, Kafka $(data_version), data in $NODE_DIR"
    else
      log "$(node_name) running (pid $pid) but not answering on $HOST:$PORT"
      rc=1
    fi
  done
  return "$rc"
}

# The client settings of the TLS+SCRAM listener, as scrubd's environment variables.
cmd_secure_env() {
  [[ "$SECURE" == 1 && -f "$TLS_DIR/ca.pem" ]] || die "no TLS+SCRAM listener in $KAFKA_DIR (run: SCRUBD_KAFKA_SECURE=1 $0 up)"
  printf 'SCRUBD_KAFKA_BROKERS=%s\n' "$(bootstrap_list secure)"
  printf 'SCRUBD_KAFKA_TLS_ENABLED=true\nSCRUBD_KAFKA_TLS_CA_FILE=%s\n' "$TLS_DIR/ca.pem"
  printf 'SCRUBD_KAFKA_SASL_MECHANISM=SCRAM-SHA-512\nSCRUBD_KAFKA_SASL_USERNAME=%s\nSCRUBD_KAFKA_SASL_PASSWORD_FILE=%s\n' \
    "$SCRAM_USER" "$TLS_DIR/scram.password"
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
  "${TOOL_ARGV[@]}" "$SCRIPT_DIR/TxnSmoke.java" "$(bootstrap_list)"
}

cmd_logs() { # [lines] [node]
  select_node "${2:-1}"
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
  # Every command but up acts on what up set up in the data dir.
  if [[ "$cmd" != up ]]; then load_layout; load_ports_from_props; fi
  select_node 1
  case "$cmd" in
    fetch)   cmd_fetch ;;
    up)      cmd_up ;;
    down)    cmd_down ;;
    stop)    each_node stop_broker ;;
    kill)    each_node kill_broker ;;
    start)   cmd_start ;;
    restart) each_node stop_broker; cmd_start ;;
    status)  cmd_status ;;
    kill-broker)  node_arg "$@"; kill_broker ;;
    stop-broker)  node_arg "$@"; stop_broker ;;
    start-broker) cmd_start_broker "$@" ;;
    bootstrap) bootstrap_list "$@"; printf '\n' ;;
    secure-env) cmd_secure_env ;;
    kcat)    cmd_kcat ;;
    logs)    cmd_logs "$@" ;;
    smoke)   cmd_smoke ;;
    tool)    [[ $# -gt 0 ]] || die "usage: $0 tool MAIN_CLASS [ARGS...]"; run_tool "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
