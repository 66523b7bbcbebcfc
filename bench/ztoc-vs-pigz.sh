#!/usr/bin/env bash
# Whole-process comparison on one layer, in one run: `pigz -dc` (native inflate only) versus
# `soci-builder ztoc create` (inflate + tar scan + checkpoints + span digests), best of N each.
# Usage: bench/ztoc-vs-pigz.sh LAYER.tar.gz [ROUNDS]   (after mvn -DskipTests package)
set -euo pipefail
layer=${1:?usage: $0 LAYER.tar.gz [ROUNDS]}
rounds=${2:-5}
jar="$(dirname "$0")/../cli/target/soci-builder.jar"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
cat "$layer" > /dev/null # page cache

best() { # command... -> best wall time in ms
  local best=999999999
  for _ in $(seq "$rounds"); do
    local s e
    s=$(date +%s%N); "$@" > /dev/null; e=$(date +%s%N)
    local ms=$(( (e - s) / 1000000 ))
    (( ms < best )) && best=$ms
  done
  echo "$best"
}

pigz_ms=$(best pigz -dc "$layer")
gzip_ms=$(best gzip -dc "$layer")
ztoc_ms=$(best java -jar "$jar" ztoc create "$layer" -o "$out")
echo "pigz -dc            : ${pigz_ms} ms"
echo "gzip -dc            : ${gzip_ms} ms"
echo "soci-builder ztoc   : ${ztoc_ms} ms (zTOC $(stat -c %s "$out") bytes)"
awk -v a="$ztoc_ms" -v b="$pigz_ms" -v c="$gzip_ms" 'BEGIN { printf "ratio over pigz -dc : %.2f\nratio over gzip -dc : %.2f\n", a / b, a / c }'
