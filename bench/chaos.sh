#!/usr/bin/env bash
# Fault-injection run (docs/reliability.md). Starts a private PostgreSQL cluster (so that it can be stopped), runs
# bench/ChaosBench.java, which starts Sluice from the built jar as a separate process on it with a stub CRM, drives
# signed webhooks at it and injects faults, then checks what Sluice applied against what it acknowledged.
#
#   bench/chaos.sh [scenario ...]      scenarios: kill9 crm-outage pg-down duplicates out-of-order hostile rate-limit
#                                      rate-limit-strict (default: all)
#
# Loopback only; bounded in time (about 20 minutes for all eight). CHAOS_EVENTS (10000) sizes the kill9 run. Sluice's
# log is kept in target/chaos-sluice.log; with CHAOS_TRACE=PREFIX the rate-limit scenarios write every call the CRM stub
# saw (seconds from the first, path, records, ok or 429) to PREFIX-<scenario>.txt.
# Needs the PostgreSQL 15 server binaries (Debian's postgresql package) and runs them as the postgres user.
set -euo pipefail
cd "$(dirname "$0")/.."
pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}
pg_port=${CHAOS_PG_PORT:-55432}

[ -f target/sluice-0.1.0-SNAPSHOT.jar ] || mvn -q -B -DskipTests package
work=$(mktemp -d)
chmod 755 "$work"
install -d -o postgres -g postgres "$work/pg" "$work/pg-socket"
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi; }
stop_pg() { as_postgres "$pg_bin/pg_ctl -D $work/pg -m immediate -w stop" >/dev/null 2>&1 || true; }
trap 'kill $(jobs -p) 2>/dev/null || true; stop_pg; cp "$work/sluice.log" target/chaos-sluice.log 2>/dev/null || true; rm -rf "$work"' EXIT

as_postgres "$pg_bin/initdb -D $work/pg -U postgres --auth=trust -E UTF8" >/dev/null
start_cmd="$pg_bin/pg_ctl -D $work/pg -l $work/pg/server.log -o '-p $pg_port -k $work/pg-socket -c listen_addresses=127.0.0.1' -w start"
as_postgres "$start_cmd" >/dev/null
"$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc 'CREATE DATABASE sluice_chaos'

source bench/common.sh
compile_bench "$work" bench/ChaosBench.java bench/TwentyStub.java bench/Hostile.java
java -Xmx1g -cp "$bench_classpath" ChaosBench \
  --jar target/sluice-0.1.0-SNAPSHOT.jar --work "$work" \
  --pg-url "jdbc:postgresql://127.0.0.1:$pg_port/sluice_chaos" \
  --pg-stop "$(declare -f as_postgres); as_postgres \"$pg_bin/pg_ctl -D $work/pg -m immediate -w stop\"" \
  --pg-start "$(declare -f as_postgres); as_postgres \"$start_cmd\"" \
  --events "${CHAOS_EVENTS:-10000}" "$@"
