#!/usr/bin/env bash
# Whole-process comparison on one layer, in one run, every command interleaved round by round
# (best of N each): the zTOC build on 1 and on 2 (or more) threads, in a 128 MiB heap, against
# python's zlib single-threaded inflate, pigz -dc and gzip -dc of the same file, and against soci's
# three passes over the layer done by native tools (zlib inflate, gzip -dc | tar -t, sha256sum): soci
# itself (Go) cannot be built here; its passes are zlib through cgo, Go's own gzip and tar, and
# SHA-256, so this is an estimate of its time, not a measurement.
# Usage: bench/ztoc-parallel.sh LAYER.tar.gz [ROUNDS] [THREADS...]
#   (after: mvn -q -Dmaven.repo.local=... -pl ztoc-core -am test-compile)
set -euo pipefail
# shellcheck source=bench/layer-args.sh
source "$(dirname "$0")/layer-args.sh" # layer, rounds, threads, root
cp="$root/ztoc-core/target/classes:$root/ztoc-core/target/test-classes"
[[ -d "$root/ztoc-core/target/test-classes/dev/socibuilder/ztoc/bench" ]] ||
  { echo "build first: mvn -q -pl ztoc-core -am test-compile" >&2; exit 2; }
java=${JAVA:-java -Xmx128m}
cat "$layer" > /dev/null # page cache

python_zlib() {
  python3 -c '
import sys, zlib
d = zlib.decompressobj(31)
n = 0
with open(sys.argv[1], "rb") as f:
    while True:
        b = f.read(1 << 20)
        if not b:
            break
        n += len(d.decompress(b))
n += len(d.flush())
print(n)' "$1"
}

soci_passes() {
  python_zlib "$1" && gzip -dc "$1" | tar -tf - && sha256sum "$1"
}

names=(python-zlib pigz gzip soci-passes)
cmds=("python_zlib $layer" "pigz -dc $layer" "gzip -dc $layer" "soci_passes $layer")
for t in "${threads[@]}"; do
  names+=("ztoc-$t")
  cmds+=("$java -cp $cp dev.socibuilder.ztoc.bench.ZtocBuildMain $layer $t")
done
declare -A best
for n in "${names[@]}"; do best[$n]=999999999; done

for r in $(seq "$rounds"); do
  for i in "${!names[@]}"; do
    s=$(date +%s%N)
    eval "${cmds[$i]}" > /dev/null
    e=$(date +%s%N)
    ms=$(( (e - s) / 1000000 ))
    (( ms < best[${names[$i]}] )) && best[${names[$i]}]=$ms
  done
done

py=${best[python-zlib]}
echo "layer: $layer ($(stat -c %s "$layer") bytes), best of $rounds, $(nproc) processors, load $(cut -d' ' -f1-3 /proc/loadavg)"
for n in "${names[@]}"; do
  awk -v n="$n" -v t="${best[$n]}" -v py="$py" 'BEGIN { printf "%-12s %6d ms  %5.2f x python zlib\n", n, t, t / py }'
done
for t in "${threads[@]}"; do
  awk -v t="$t" -v z="${best[ztoc-$t]}" -v s="${best[soci-passes]}" \
    'BEGIN { printf "ztoc-%s vs soci'"'"'s three passes by native tools: %.2fx faster\n", t, s / z }'
done
awk -v a="${best[ztoc-${threads[0]}]}" -v b="${best[ztoc-${threads[-1]}]}" \
  'BEGIN { printf "scaling: ztoc-%s / ztoc-%s = %.2f\n", "'"${threads[0]}"'", "'"${threads[-1]}"'", a / b }'
