#!/usr/bin/env bash
# Start-to-ready benchmark (docs/performance.md, "Start time"): the same jar started in each form, one after the
# other in this run, each several times on the embedded default; prints the median seconds from `java` to
# /actuator/health/readiness UP, and each form's ratio to the fat jar on Java 17 (the README's start).
#
#   bench/start.sh [starts-per-form]        default 5
#
# The forms: the fat jar (Java 17); the extracted jar (Java 17, then on a JDK 25: BENCH_JAVA25 names its java, or
# the first JDK 25 found under /usr/lib/jvm); the extracted jar with a class-data-sharing archive
# (scripts/prepare-fast-start.sh, Java 17); the extracted jar with the JDK 25 AOT cache, trained by one start that
# stops once the context is ready. Loopback only; nothing else should run meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
starts=${1:-5}
port=${BENCH_PORT:-18085}
java25=${BENCH_JAVA25:-$(ls -d /usr/lib/jvm/*25*/bin/java 2>/dev/null | head -n 1)}

[ -f target/sluice-0.1.0-SNAPSHOT.jar ] || mvn -q -B -DskipTests package
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
scripts/prepare-fast-start.sh target/sluice-0.1.0-SNAPSHOT.jar "$work/runtime" > /dev/null
app=$(ls "$work"/runtime/sluice-*.jar)

# seconds from the start of `java` to readiness UP, on a fresh data directory
start_once() {
  rm -rf "$work/data"
  local t0 t1 pid
  t0=$(date +%s%N)
  "$@" --server.port="$port" --sluice.data-dir="$work/data" --sluice.routes.reload=false > "$work/start.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    curl -fs "http://127.0.0.1:$port/actuator/health/readiness" > /dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/start.log" >&2; return 1; }
    sleep 0.05
  done
  t1=$(date +%s%N)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", (b - a) / 1e9 }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

baseline=
measure() {
  local label=$1; shift
  local times=() t
  for _ in $(seq 1 "$starts"); do
    t=$(start_once "$@")
    times+=("$t")
  done
  local m
  m=$(printf '%s\n' "${times[@]}" | median)
  baseline=${baseline:-$m}
  printf '%-42s median %6.2f s  (%s)  %.2fx the fat jar\n' "$label" "$m" "${times[*]}" \
    "$(awk -v a="$m" -v b="$baseline" 'BEGIN { print a / b }')"
}

measure "fat jar, Java 17" java -jar target/sluice-0.1.0-SNAPSHOT.jar
measure "extracted, Java 17" java -jar "$app"
measure "extracted + CDS archive, Java 17" java -XX:SharedArchiveFile="$work/runtime/sluice.jsa" -jar "$app"
if [ -n "$java25" ] && [ -x "$java25" ]; then
  measure "extracted, JDK 25" "$java25" -jar "$app"
  "$java25" -XX:AOTCacheOutput="$work/sluice.aot" -Dspring.context.exit=onRefresh -jar "$app" \
    --sluice.data-dir="$work/training" --server.port=0 --sluice.routes.reload=false > "$work/training.log" 2>&1
  measure "extracted + AOT cache, JDK 25" "$java25" -XX:AOTCache="$work/sluice.aot" -jar "$app"
else
  echo "no JDK 25 found (set BENCH_JAVA25): the JDK 25 forms are left out"
fi
