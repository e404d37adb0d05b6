#!/usr/bin/env bash
# Webhook ingest benchmark (docs/performance.md). Starts Sluice from the built jar as a separate process, on
# PostgreSQL and then on H2, with the bench-bare baseline route added, and runs bench/IngestBench.java against it;
# then the same workload against Node-RED (from the npm registry: verify the HMAC, insert into PostgreSQL, answer
# 202) and prints Sluice's figures as ratios of Node-RED's.
#
#   bench/ingest.sh [requests-per-round] [concurrency] [rounds]      defaults: 20000 32 3
#
# Needs PostgreSQL on 127.0.0.1:5432 (BENCH_PG_URL, BENCH_PG_USER to change), npm for Node-RED, and loopback only.
# BENCH_TARGETS="postgres h2 nodered" chooses what runs; BENCH_WARMUP_SECONDS (90) the warm-up; BENCH_SUSTAINED_SECONDS (60)
# the load at 80 % of the ingress median with processing running (0 skips it); BENCH_SLUICE_ARGS adds
# Sluice settings (--sluice.inbox.consumers=8, say), BENCH_JAVA_OPTS JVM options (a flight recording, say).
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-20000}
concurrency=${2:-32}
rounds=${3:-3}
port=${BENCH_PORT:-18080}
pg_url=${BENCH_PG_URL:-jdbc:postgresql://127.0.0.1:5432/sluice_bench}
pg_user=${BENCH_PG_USER:-postgres}
secret=ws_bench$(openssl rand -hex 28)
token=bench-$(openssl rand -hex 16)

[ -f target/sluice-0.1.0-SNAPSHOT.jar ] || mvn -q -B -DskipTests package
work=$(mktemp -d)
source bench/common.sh
trap 'kill $(jobs -p) 2>/dev/null || true; restore_autovacuum; rm -rf "$work"' EXIT
cp -r routes "$work/routes"
cp bench/routes/*.camel.yaml "$work/routes/"

if [ "$(psql -h 127.0.0.1 -U "$pg_user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'sluice_bench'")" = "1" ]; then
  psql -q -h 127.0.0.1 -U "$pg_user" -d postgres -c 'DROP DATABASE sluice_bench'
fi
psql -q -h 127.0.0.1 -U "$pg_user" -d postgres -c 'CREATE DATABASE sluice_bench'
autovacuum_for_the_run

run_against() {
  local label=$1; shift
  mkdir -p "$work/data-$label"
  java -Xmx512m ${BENCH_JAVA_OPTS:-} -jar target/sluice-0.1.0-SNAPSHOT.jar --server.port="$port" --sluice.data-dir="$work/data-$label" \
    --sluice.routes.dir="$work/routes" --sluice.routes.reload=false --sluice.webhook.max-rps=1000000 \
    --sluice.whop.webhook-secrets="$secret" --sluice.admin.token="$token" --logging.level.io.sluice=WARN ${BENCH_SLUICE_ARGS:-} "$@" \
    > "$work/sluice-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && break
    sleep 0.5
  done
  echo "== $label: Sluice pid $pid, RSS $(ps -o rss= -p $pid | awk '{printf "%.0f MiB", $1/1024}') after start"
  java bench/IngestBench.java --url "http://127.0.0.1:$port" --secret "$secret" --token "$token" \
    --requests "$requests" --concurrency "$concurrency" --rounds "$rounds" --label "[$label] " \
    --warmup-seconds "${BENCH_WARMUP_SECONDS:-90}" --sustained-seconds "${BENCH_SUSTAINED_SECONDS:-60}" || status=$?
  echo "== $label: RSS $(ps -o rss= -p $pid | awk '{printf "%.0f MiB", $1/1024}') after the run"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  return ${status:-0}
}

# Node-RED 5 needs Node >= 22.9: the npm package node@24 brings that binary along
run_nodered() {
  local dir="$work/nodered" nr_port=$((port + 1))
  mkdir -p "$dir/user"
  (cd "$dir" && npm install --silent --no-audit --no-fund node-red@5.0.7 node@24 pg@8 >/dev/null)
  cp bench/nodered/settings.js bench/nodered/flows.json "$dir/user/"
  psql -q -h 127.0.0.1 -U "$pg_user" -d sluice_bench -c \
    'CREATE TABLE IF NOT EXISTS nodered_events (id VARCHAR(255) PRIMARY KEY, type VARCHAR(160) NOT NULL, body JSONB NOT NULL)'
  NODE_PATH="$dir/node_modules" NODE_RED_PORT=$nr_port NODE_RED_USER_DIR="$dir/user" BENCH_WEBHOOK_SECRET="$secret" \
    BENCH_PG_USER="$pg_user" "$dir/node_modules/.bin/node" "$dir/node_modules/node-red/red.js" \
    --settings "$dir/user/settings.js" --userDir "$dir/user" > "$work/nodered.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    curl -fs -X POST "http://127.0.0.1:$nr_port/webhooks/bench-bare" >/dev/null 2>&1 && break
    sleep 0.5
  done
  echo "== nodered: Node-RED pid $pid, RSS $(ps -o rss= -p $pid | awk '{printf "%.0f MiB", $1/1024}') after start"
  java bench/IngestBench.java --url "http://127.0.0.1:$nr_port" --secret "$secret" --peer true \
    --requests "$requests" --concurrency "$concurrency" --rounds "$rounds" --label "[nodered] " \
    --warmup-seconds "${BENCH_WARMUP_SECONDS:-90}" || status=$?
  echo "== nodered: RSS $(ps -o rss= -p $pid | awk '{printf "%.0f MiB", $1/1024}') after the run; rows stored:" \
    "$(psql -tA -h 127.0.0.1 -U "$pg_user" -d sluice_bench -c 'SELECT COUNT(*) FROM nodered_events')"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  return ${status:-0}
}

for target in ${BENCH_TARGETS:-${BENCH_DATABASES:-postgres h2 nodered}}; do
  case $target in
    postgres) run_against postgres --spring.datasource.url="$pg_url" --spring.datasource.username="$pg_user" \
      --sluice.encryption-key=c2x1aWNlLXRlc3Qta2V5LW5vdC1hLXNlY3JldC0wMDE= ;;
    h2) run_against h2 ;;
    nodered) run_nodered ;;
    *) echo "unknown target $target (postgres, h2, nodered)" >&2; exit 2 ;;
  esac
done | tee "$work/results.txt"

# Sluice on PostgreSQL against Node-RED on PostgreSQL: the same work, the same machine, the same run
sluice=$(grep '^\[postgres\] median' "$work/results.txt" || true)
peer=$(grep '^\[nodered\] median' "$work/results.txt" || true)
if [ -n "$sluice" ] && [ -n "$peer" ]; then
  rps() { sed -E 's/.*webhook ([0-9.]+) req\/s.*/\1/' <<<"$1"; }
  p99() { sed -E 's/.*p99 ([0-9.]+) ms; ratio.*/\1/' <<<"$1"; }
  awk -v s="$(rps "$sluice")" -v n="$(rps "$peer")" -v sp="$(p99 "$sluice")" -v np="$(p99 "$peer")" 'BEGIN {
    printf "Sluice/Node-RED on PostgreSQL: throughput %.0f / %.0f req/s = %.2fx; webhook p99 %.1f / %.1f ms = %.2fx\n", s, n, s / n, sp, np, sp / np }'
fi
