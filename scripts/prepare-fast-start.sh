#!/usr/bin/env bash
# Start Sluice in about half the time (docs/operations.md, "Start fast"): extracts the jar (nested jars load
# slowly) and records a class-data-sharing archive from one training start, which the JVM then maps instead of
# loading and verifying the same classes again. Run it from the folder that holds routes/ and mappings/, with the
# same Java that will run Sluice; run it again after every upgrade.
#
#   scripts/prepare-fast-start.sh [jar] [folder]      defaults: target/sluice-*.jar target/runtime
#   then: java -XX:SharedArchiveFile=<folder>/sluice.jsa -jar <folder>/sluice-<version>.jar
set -euo pipefail
jar=${1:-$(ls target/sluice-*.jar | head -n 1)}
dir=${2:-target/runtime}
rm -rf "$dir"
java -Djarmode=tools -jar "$jar" extract --destination "$dir"
app=$(ls "$dir"/sluice-*.jar)
# the training start stops as soon as the application context is ready; its data goes to a throwaway folder
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
java -XX:ArchiveClassesAtExit="$dir/sluice.jsa" -Dspring.context.exit=onRefresh -jar "$app" \
  --sluice.data-dir="$scratch" --server.port=0 --sluice.routes.reload=false > "$scratch/training.log" 2>&1 \
  || { cat "$scratch/training.log" >&2; exit 1; }
echo "java -XX:SharedArchiveFile=$dir/sluice.jsa -jar $app"
