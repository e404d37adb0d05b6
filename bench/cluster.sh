#!/usr/bin/env bash
# Replicas and Kafka benchmark (docs/performance.md). In one run, on one machine, measures four configurations of
# Sluice from the built jar, each on a freshly recreated PostgreSQL database:
#
#   a  one replica,  sluice.transport=jdbc (the baseline of the ratios)
#   b  two replicas, jdbc, senders split across both URLs
#   c  one replica,  sluice.transport=kafka
#   d  two replicas, kafka
#
# and for each runs bench/ClusterBench.java: ingress (accepted req/s, p50/p95/p99) and end to end (events/s from the
# first request until every accepted event is DONE in the local CRM), no loss and no duplicate; then prints the
# medians and their ratios to configuration a. Kafka is one KRaft broker in a JVM of its own (bench/KafkaBroker.java,
# from the kafka_2.13 test dependency), a fresh topic of BENCH_KAFKA_PARTITIONS (4) partitions per configuration.
#
#   bench/cluster.sh [requests-per-round] [concurrency] [rounds]      defaults: 6000 32 3
#
# Needs PostgreSQL on 127.0.0.1:5432 (BENCH_PG_USER, postgres) and loopback only. BENCH_CONFIGS="a b c d" chooses
# what runs; BENCH_WARMUP_SECONDS (30) the warm-up of each configuration. With the defaults, 20-23 minutes on two cores
# shared with other work (load average 5-32); the rounds take less on an idle machine.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-6000}
concurrency=${2:-32}
rounds=${3:-3}
port=${BENCH_PORT:-18180}
kafka_port=${BENCH_KAFKA_PORT:-19092}
pg_user=${BENCH_PG_USER:-postgres}
db=sluice_cluster_bench
secret=ws_bench$(openssl rand -hex 28)
token=bench-$(openssl rand -hex 16)
key=$(openssl rand -base64 32)

[ -f target/sluice-0.1.0-SNAPSHOT.jar ] || mvn -q -B -DskipTests package
work=$(mktemp -d)
touch "$work/pids"
# the brokers and replicas are started in the pipeline's subshell below: their pids are kept in a file
cleanup() {
  kill $(jobs -p) $(cat "$work/pids") 2>/dev/null || true
  for _ in $(seq 1 20); do
    kill -0 $(cat "$work/pids") 2>/dev/null || break
    sleep 0.5
  done
  rm -rf "$work"
}
trap cleanup EXIT

mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=test
javac -d "$work/classes" -cp "$(cat "$work/classpath")" bench/ClusterBench.java bench/IngestBench.java bench/KafkaBroker.java
classpath="$(cat "$work/classpath"):$work/classes"

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# one broker for the run; each Kafka configuration gets its own topic and consumer group
kafka_started=false
start_kafka() {
  $kafka_started && return
  java -Xmx512m -cp "$classpath" KafkaBroker --port "$kafka_port" --controller-port $((kafka_port + 1)) \
    --dir "$work/kafka" --partitions "${BENCH_KAFKA_PARTITIONS:-4}" sluice.events.c sluice.events.d > "$work/kafka.log" 2>&1 &
  echo $! >> "$work/pids"
  for _ in $(seq 1 120); do
    grep -q '^ready' "$work/kafka.log" && break
    sleep 0.5
  done
  grep -q '^ready' "$work/kafka.log" || { echo "Kafka did not start:" >&2; tail -n 30 "$work/kafka.log" >&2; exit 1; }
  echo "== Kafka: $(grep '^ready' "$work/kafka.log"), ${BENCH_KAFKA_PARTITIONS:-4} partitions per topic"
  kafka_started=true
}

# run_config LABEL REPLICAS TRANSPORT
run_config() {
  local label=$1 replicas=$2 transport=$3 urls="" pids=() i extra=()
  psql -q -h 127.0.0.1 -U "$pg_user" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" 2>/dev/null
  psql -q -h 127.0.0.1 -U "$pg_user" -d postgres -c "CREATE DATABASE $db"
  if [ "$transport" = kafka ]; then
    start_kafka
    extra=(--sluice.transport=kafka --sluice.kafka.brokers="localhost:$kafka_port" --sluice.kafka.topic="sluice.events.$label"
      --sluice.kafka.group-id="sluice-$label")
  fi
  for i in $(seq 1 "$replicas"); do
    local p=$((port + i - 1))
    mkdir -p "$work/data-$label-$i"
    java -Xmx512m -jar target/sluice-0.1.0-SNAPSHOT.jar --server.port="$p" --sluice.data-dir="$work/data-$label-$i" \
      --sluice.routes.dir="$PWD/routes" --sluice.routes.reload=false --sluice.webhook.max-rps=1000000 \
      --sluice.whop.webhook-secrets="$secret" --sluice.admin.token="$token" --logging.level.io.sluice=WARN \
      --spring.datasource.url="jdbc:postgresql://127.0.0.1:5432/$db" --spring.datasource.username="$pg_user" \
      --sluice.encryption-key="$key" --sluice.inbox.instance-id="bench-$label-$i" "${extra[@]}" \
      > "$work/sluice-$label-$i.log" 2>&1 &
    pids+=($!)
    echo $! >> "$work/pids"
    urls="${urls:+$urls,}http://127.0.0.1:$p"
  done
  for i in $(seq 1 "$replicas"); do
    local p=$((port + i - 1)) ready=false
    for _ in $(seq 1 240); do
      if curl -fs "http://127.0.0.1:$p/actuator/health/readiness" >/dev/null 2>&1; then ready=true; break; fi
      sleep 0.5
    done
    if ! $ready; then
      echo "replica $i of $label not ready:" >&2; tail -n 40 "$work/sluice-$label-$i.log" >&2
      kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
      return 1
    fi
  done
  echo "== $label: $replicas replica(s), $transport, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  local status=0
  java -Xmx1g -cp "$classpath" ClusterBench --urls "$urls" --secret "$secret" --token "$token" \
    --requests "$requests" --concurrency "$concurrency" --rounds "$rounds" --label "[$label] " \
    --warmup-seconds "${BENCH_WARMUP_SECONDS:-30}" || status=$?
  # every event DONE (a webhook's and its applied change's follow-up), one opportunity per accepted webhook, counted
  # in the database itself
  local events opportunities
  events=$(psql -tA -h 127.0.0.1 -U "$pg_user" -d "$db" \
    -c "SELECT string_agg(source || ' ' || status || ' ' || n, ', ') FROM (SELECT source, status, COUNT(*) n FROM event_log GROUP BY 1, 2) s")
  opportunities=$(psql -tA -h 127.0.0.1 -U "$pg_user" -d "$db" -c 'SELECT COUNT(*) FROM crm_opportunity')
  echo "[$label] database: events $events; opportunities $opportunities"
  if [ "$(psql -tA -h 127.0.0.1 -U "$pg_user" -d "$db" -c "SELECT COUNT(*) FROM event_log WHERE status <> 'DONE'")" != 0 ]; then
    echo "[$label] some events are not DONE" >&2; status=1
  fi
  echo "== $label: load average $(cut -d' ' -f1-3 /proc/loadavg) after the run"
  kill "${pids[@]}"; wait "${pids[@]}" 2>/dev/null || true
  return $status
}

run_all() {
  local failed=0 config
  for config in ${BENCH_CONFIGS:-a b c d}; do
    case $config in
      a) run_config a 1 jdbc || failed=1 ;;
      b) run_config b 2 jdbc || failed=1 ;;
      c) run_config c 1 kafka || failed=1 ;;
      d) run_config d 2 kafka || failed=1 ;;
      *) echo "unknown configuration $config (a b c d)" >&2; return 2 ;;
    esac
  done
  return $failed
}
failed=0
run_all 2>&1 | tee "$work/results.txt" || failed=$?

# medians and ratios to configuration a
awk '
  /^\[[abcd]\] median/ {
    c = substr($1, 2, 1)
    for (i = 1; i <= NF; i++) {
      if ($i == "ingress") rps[c] = $(i + 1)
      if ($i == "p99") p99[c] = $(i + 1)
      if ($i == "end" && $(i + 1) == "to") e2e[c] = $(i + 3)
    }
    seen[c] = 1
  }
  END {
    name["a"] = "1 replica,  jdbc "; name["b"] = "2 replicas, jdbc "; name["c"] = "1 replica,  kafka"; name["d"] = "2 replicas, kafka"
    print "== medians and ratios to a (1 replica, jdbc)"
    for (k = 1; k <= 4; k++) {
      c = substr("abcd", k, 1)
      if (!seen[c]) continue
      if (seen["a"]) printf "%s %s: ingress %6.0f req/s (%.2fx), p99 %6.2f ms (%.2fx), end to end %5.0f events/s (%.2fx)\n", c, name[c], rps[c], rps[c] / rps["a"], p99[c], p99[c] / p99["a"], e2e[c], e2e[c] / e2e["a"]
      else printf "%s %s: ingress %6.0f req/s, p99 %6.2f ms, end to end %5.0f events/s\n", c, name[c], rps[c], p99[c], e2e[c]
    }
  }' "$work/results.txt"
exit "$failed"
