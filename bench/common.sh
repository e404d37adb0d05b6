# Shared by the bench scripts that compile bench/*.java against the project's dependencies (sourced, not run).

# Compiles the named bench sources into $1/classes and sets bench_classpath to run them with (Jackson from the
# project's compile dependencies, then the classes).
compile_bench() {
  local work=$1; shift
  mvn -q -B -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile="$work/classpath" -Dmdep.includeScope=compile
  javac -d "$work/classes" -cp "$(cat "$work/classpath")" "$@"
  bench_classpath="$(cat "$work/classpath"):$work/classes"
}

# Recreates database $1 on the PostgreSQL at 127.0.0.1:5432 and prints its JDBC URL.
recreate_database() {
  local name=$1 user=${BENCH_PG_USER:-postgres}
  psql -q -h 127.0.0.1 -U "$user" -d postgres -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" 2>/dev/null
  psql -q -h 127.0.0.1 -U "$user" -d postgres -c "CREATE DATABASE $name"
  echo "jdbc:postgresql://127.0.0.1:5432/$name"
}

# PostgreSQL as a production server runs it: with autovacuum, which keeps the inbox's planner statistics current and
# its indexes free of the rows processing has moved on from. A server set up for tests may have it off; then this
# turns it on for the run (ALTER SYSTEM, a superuser's) and restore_autovacuum, from the script's exit trap, sets it
# back as it was: an earlier ALTER SYSTEM value restored, else the entry removed.
autovacuum_for_the_run() {
  local user=${BENCH_PG_USER:-postgres} earlier
  autovacuum_restore=
  [ "$(psql -tA -h 127.0.0.1 -U "$user" -d postgres -c 'SHOW autovacuum')" = on ] && return 0
  earlier=$(psql -tA -h 127.0.0.1 -U "$user" -d postgres -c "SELECT setting FROM pg_file_settings
    WHERE name = 'autovacuum' AND sourcefile LIKE '%postgresql.auto.conf' AND applied" 2>/dev/null || true)
  if [ -n "$earlier" ]; then autovacuum_restore="ALTER SYSTEM SET autovacuum = '$earlier'"; else autovacuum_restore='ALTER SYSTEM RESET autovacuum'; fi
  psql -q -h 127.0.0.1 -U "$user" -d postgres -c 'ALTER SYSTEM SET autovacuum = on' -c 'SELECT pg_reload_conf()' >/dev/null 2>&1 || true
  sleep 1
  if [ "$(psql -tA -h 127.0.0.1 -U "$user" -d postgres -c 'SHOW autovacuum')" = on ]; then
    echo "== autovacuum was off on this server: on for the run"
  else
    echo "== autovacuum is off on this server and could not be turned on (a superuser's ALTER SYSTEM, or a command-line setting):"
    echo "   processing slows the longer it runs, unlike on a production server"
  fi
}

restore_autovacuum() {
  [ -z "${autovacuum_restore:-}" ] && return 0
  psql -q -h 127.0.0.1 -U "${BENCH_PG_USER:-postgres}" -d postgres -c "$autovacuum_restore" -c 'SELECT pg_reload_conf()' >/dev/null || true
}
