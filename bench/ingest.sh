#!/usr/bin/env bash
# Webhook ingest benchmark (docs/performance.md). Starts Sluice from the built jar as a separate process, on
# PostgreSQL and then on H2, with the bench-bare baseline route added, and runs bench/IngestBench.java against it.
#
#   bench/ingest.sh [requests-per-round] [concurrency] [rounds]      defaults: 20000 32 3
#
# Needs PostgreSQL on 127.0.0.1:5432 (BENCH_PG_URL, BENCH_PG_USER to change) and loopback only.
# BENCH_DATABASES="postgres h2" chooses the databases; BENCH_WARMUP_SECONDS (90) the warm-up.
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
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
cp -r routes "$work/routes"
cp bench/routes/*.camel.yaml "$work/routes/"

if [ "$(psql -h 127.0.0.1 -U "$pg_user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'sluice_bench'")" = "1" ]; then
  psql -q -h 127.0.0.1 -U "$pg_user" -d postgres -c 'DROP DATABASE sluice_bench'
fi
psql -q -h 127.0.0.1 -U "$pg_user" -d postgres -c 'CREATE DATABASE sluice_bench'

run_against() {
  local label=$1; shift
  mkdir -p "$work/data-$label"
  java -Xmx512m -jar target/sluice-0.1.0-SNAPSHOT.jar --server.port="$port" --sluice.data-dir="$work/data-$label" \
    --sluice.routes.dir="$work/routes" --sluice.routes.reload=false --sluice.webhook.max-rps=1000000 \
    --sluice.whop.webhook-secrets="$secret" --sluice.admin.token="$token" --logging.level.io.sluice=WARN "$@" \
    > "$work/sluice-$label.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/actuator/health/readiness" >/dev/null 2>&1 && break
    sleep 0.5
  done
  echo "== $label: Sluice pid $pid, RSS $(ps -o rss= -p $pid | awk '{printf "%.0f MiB", $1/1024}') after start"
  java bench/IngestBench.java --url "http://127.0.0.1:$port" --secret "$secret" --token "$token" \
    --requests "$requests" --concurrency "$concurrency" --rounds "$rounds" --label "[$label] " \
    --warmup-seconds "${BENCH_WARMUP_SECONDS:-90}" || status=$?
  echo "== $label: RSS $(ps -o rss= -p $pid | awk '{printf "%.0f MiB", $1/1024}') after the run"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  return ${status:-0}
}

for database in ${BENCH_DATABASES:-postgres h2}; do
  case $database in
    postgres) run_against postgres --spring.datasource.url="$pg_url" --spring.datasource.username="$pg_user" ;;
    h2) run_against h2 ;;
    *) echo "unknown database $database (postgres, h2)" >&2; exit 2 ;;
  esac
done
