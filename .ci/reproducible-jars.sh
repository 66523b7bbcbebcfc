#!/usr/bin/env bash
# Builds the two Lambda jars twice from a clean tree, a few seconds apart, and checks that both builds are
# byte-identical (project.build.outputTimestamp in the parent pom; the shade plugin honours it). Usage:
#   .ci/reproducible-jars.sh [extra Maven arguments, e.g. -Dmaven.repo.local=/path]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
jars=(lambda-filter/target/lambda-filter.jar lambda-indexer/target/lambda-indexer.jar)
for build in 1 2; do
  mvn -B -q "$@" -DskipTests -pl lambda-filter,lambda-indexer -am clean package
  mkdir -p "$out/$build"
  cp "${jars[@]}" "$out/$build/"
  sleep 3 # a later clock: a build time leaking into the jars would differ
done
status=0
for jar in "${jars[@]}"; do
  name=$(basename "$jar")
  if cmp -s "$out/1/$name" "$out/2/$name"; then
    echo "reproducible: $name $(sha256sum < "$out/1/$name" | cut -c1-64)"
  else
    echo "NOT reproducible: $name" >&2
    status=1
  fi
done
exit $status
