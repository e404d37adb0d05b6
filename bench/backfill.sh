#!/usr/bin/env bash
# Backfill throughput against its ceiling (docs/performance.md): a full Whop sync of N members and N memberships from a
# Whop stub into a Twenty stub, with Whop's and the CRM's request budgets as configured. Starts Sluice from the built
# jar as a separate process, on PostgreSQL (database sluice_backfill on 127.0.0.1:5432, recreated) and then on H2.
#
#   bench/backfill.sh [records] [whop-pages-per-second] [crm-calls-per-second]      defaults: 3000 5 10
#   BENCH_HEAP=256m bench/backfill.sh 100000 200 400                                 the memory target's run
#   BENCH_JVM_OPTS adds JVM options to Sluice's (-XX:+UseSerialGC, say); the environment (MALLOC_ARENA_MAX) is Sluice's too
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-3000}
whop_rps=${2:-5}
crm_rps=${3:-10}

[ -f target/sluice-0.1.0-SNAPSHOT.jar ] || mvn -q -B -DskipTests package
source bench/common.sh
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; restore_autovacuum; rm -rf "$work"' EXIT
compile_bench "$work" bench/BackfillBench.java bench/ChaosBench.java bench/TwentyStub.java bench/WhopStub.java bench/Hostile.java

case " ${BENCH_DATABASES:-postgres h2} " in *" postgres "*) autovacuum_for_the_run ;; esac
for database in ${BENCH_DATABASES:-postgres h2}; do
  case $database in
    postgres) url=$(recreate_database sluice_backfill) ;;
    h2) url= ;;
    *) echo "unknown database $database (postgres, h2)" >&2; exit 2 ;;
  esac
  mkdir -p "$work/$database"
  java -cp "$bench_classpath" BackfillBench --jar target/sluice-0.1.0-SNAPSHOT.jar --work "$work/$database" \
    --pg-url "$url" --records "$records" --whop-rps "$whop_rps" --crm-rps "$crm_rps" --label "$database" --heap "${BENCH_HEAP:-512m}" \
    --jvm-options "${BENCH_JVM_OPTS:-}"
done
