#!/usr/bin/env bash
# End-to-end latency, webhook to CRM, with a CRM stub that answers after 50 ms (docs/performance.md); also start time
# and idle and loaded RSS. Starts Sluice from the built jar as a separate process, on PostgreSQL (database
# sluice_latency on 127.0.0.1:5432, recreated) and then on the embedded H2.
#
#   bench/latency.sh [rate-per-second] [seconds]      defaults: 20 60
#
# BENCH_DATABASES="postgres h2" chooses the databases; BENCH_CRM_LATENCY_MS (50) the stub's answer time.
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-20}
seconds=${2:-60}

[ -f target/sluice-0.1.0-SNAPSHOT.jar ] || mvn -q -B -DskipTests package
source bench/common.sh
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
compile_bench "$work" bench/LatencyBench.java bench/ChaosBench.java bench/TwentyStub.java bench/Hostile.java

for database in ${BENCH_DATABASES:-postgres h2}; do
  case $database in
    postgres) url=$(recreate_database sluice_latency) ;;
    h2) url= ;;
    *) echo "unknown database $database (postgres, h2)" >&2; exit 2 ;;
  esac
  mkdir -p "$work/$database"
  java -cp "$bench_classpath" LatencyBench --jar target/sluice-0.1.0-SNAPSHOT.jar --work "$work/$database" \
    --pg-url "$url" --rate "$rate" --seconds "$seconds" --crm-latency-ms "${BENCH_CRM_LATENCY_MS:-50}" --label "$database"
done
