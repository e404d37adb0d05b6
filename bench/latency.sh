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
pg_user=${BENCH_PG_USER:-postgres}

[ -f target/sluice-0.1.0-SNAPSHOT.jar ] || mvn -q -B -DskipTests package
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=compile
classpath=$(cat "$work/classpath")
javac -d "$work/classes" -cp "$classpath" bench/LatencyBench.java bench/ChaosBench.java bench/TwentyStub.java bench/Hostile.java

for database in ${BENCH_DATABASES:-postgres h2}; do
  case $database in
    postgres)
      psql -q -h 127.0.0.1 -U "$pg_user" -d postgres -c 'DROP DATABASE IF EXISTS sluice_latency WITH (FORCE)'
      psql -q -h 127.0.0.1 -U "$pg_user" -d postgres -c 'CREATE DATABASE sluice_latency'
      url=jdbc:postgresql://127.0.0.1:5432/sluice_latency ;;
    h2) url= ;;
    *) echo "unknown database $database (postgres, h2)" >&2; exit 2 ;;
  esac
  mkdir -p "$work/$database"
  java -cp "$classpath:$work/classes" LatencyBench --jar target/sluice-0.1.0-SNAPSHOT.jar --work "$work/$database" \
    --pg-url "$url" --rate "$rate" --seconds "$seconds" --crm-latency-ms "${BENCH_CRM_LATENCY_MS:-50}" --label "$database"
done
