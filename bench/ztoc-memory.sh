#!/usr/bin/env bash
# Memory of one zTOC build on hostile layers (ZtocMemoryBenchmark): for each layer, the smallest -Xmx that
# builds its zTOC (bisected to 8 MiB), the peak RSS in that heap, and the peak RSS with the JVM's default heap.
# Layers (generated once into WORKDIR, never held in memory): 10^6 empty files; a gzip bomb of 4 GiB of
# zeros (4 MB of gzip); 200 MiB of PAX xattr records (under 1 MB of gzip, under the default xattr limit).
# Usage: bench/ztoc-memory.sh [WORKDIR]   (after mvn -q -pl ztoc-core test-compile)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-/tmp/ztoc-memory}
cp="$root/ztoc-core/target/classes:$root/ztoc-core/target/test-classes"
main=dev.socibuilder.ztoc.bench.ZtocMemoryBenchmark
mkdir -p "$work"

generate() { # name kind n
  [ -f "$work/$1.tar.gz" ] || java -cp "$cp" "$main" generate "$2" "$3" "$work/$1.tar.gz"
}
generate empty-files empty-files 1000000
generate gzip-bomb zeros 4294967296
generate pax-xattrs pax 209715200

builds() { # heap-MiB layer -> success; output in $work/out
  java -Xmx"$1"m -cp "$cp" "$main" build "$2" > "$work/out" 2>&1
}

for layer in empty-files gzip-bomb pax-xattrs; do
  f="$work/$layer.tar.gz"
  lo=8 hi=4096 # lo fails, hi builds
  if ! builds "$hi" "$f"; then
    echo "$layer: does not build in ${hi} MiB: $(tail -1 "$work/out")"
    continue
  fi
  while (( hi - lo > 8 )); do
    mid=$(( (lo + hi) / 2 ))
    if builds "$mid" "$f"; then hi=$mid; else lo=$mid; fi
  done
  builds "$hi" "$f"
  echo "$layer: smallest heap ${hi} MiB: $(cat "$work/out")"
  echo "$layer: default heap: $(java -cp "$cp" "$main" build "$f" 2>&1 | tail -1)"
done
