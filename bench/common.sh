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
