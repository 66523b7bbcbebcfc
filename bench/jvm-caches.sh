#!/usr/bin/env bash
# Whole processes, `soci-builder ztoc create` of one layer in fresh JVMs, with and without the JVM's
# start-up caches, against python's zlib inflate of the same file; interleaved round by round, best and
# median of N, every JVM with -Xmx128m:
#   jdk17          the default java (17)
#   jdk17-cds      JDK 17 with an AppCDS archive (-XX:SharedArchiveFile): classes loaded and verified
#   jdk25          Temurin 25 ($JAVA25)
#   jdk25-aot      JDK 25 with an AOT cache (-XX:AOTCache): classes loaded and linked, and the methods'
#                  profiles (JEP 515), so that the JIT compiles the decoders from the start
# The archive and the cache are trained once, before the rounds, by indexing the sample image the build
# makes (cli/target/sample-image: a 13 MB layer, not the measured one) with --inflate-threads 2, with the
# same jar. Each `ztoc create` runs on every thread count given (--inflate-threads).
# Usage: bench/jvm-caches.sh LAYER.tar.gz [ROUNDS] [THREADS...]   (after: mvn -B -q -DskipTests package)
set -euo pipefail
# shellcheck source=bench/layer-args.sh
source "$(dirname "$0")/layer-args.sh" # layer, rounds, threads, root
jar=$root/cli/target/soci-builder.jar
sample=$root/cli/target/sample-image
[[ -f $jar && -d $sample ]] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 2; }
java17=${JAVA17:-java}
java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
python=${PYTHON:-python3}
# shellcheck source=bench/one-layer-registry.sh
source "$root/bench/one-layer-registry.sh" # time_rounds, best, median

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat "$layer" > /dev/null # page cache
cp -r "$sample" "$work/sample" # training writes its index into the layout

echo "training the AppCDS archive (JDK 17) and the AOT cache (JDK 25) on the sample image" >&2
"$java17" -XX:ArchiveClassesAtExit="$work/jdk17.jsa" -Xmx128m -jar "$jar" \
  index "oci:$work/sample:latest" --force --inflate-threads 2 > /dev/null 2>&1
have25=false
if [[ -x $java25 ]] && "$java25" -XX:AOTCacheOutput="$work/jdk25.aot" -Xmx128m -jar "$jar" \
  index "oci:$work/sample:latest" --force --inflate-threads 2 > /dev/null 2>&1; then
  have25=true
else
  echo "no JDK 25 at $java25 (set JAVA25): its rows are left out" >&2
fi

run_python_zlib() {
  "$python" -c '
import sys, zlib
d = zlib.decompressobj(31)
with open(sys.argv[1], "rb") as f:
    while True:
        b = f.read(1 << 20)
        if not b:
            break
        d.decompress(b)
d.flush()' "$layer"
}
create() { # JAVA [JVM OPTIONS...] -- THREADS
  local args=()
  while [[ $1 != -- ]]; do args+=("$1"); shift; done
  "${args[@]}" -Xmx128m -jar "$jar" ztoc create "$layer" -o "$work/out.ztoc" --inflate-threads "$2"
}
names=(python_zlib)
for t in "${threads[@]}"; do
  eval "run_jdk17_$t() { create \"\$java17\" -- $t; }"
  eval "run_jdk17_cds_$t() { create \"\$java17\" -XX:SharedArchiveFile=\"\$work/jdk17.jsa\" -- $t; }"
  names+=("jdk17_$t" "jdk17_cds_$t")
  if $have25; then
    eval "run_jdk25_$t() { create \"\$java25\" -- $t; }"
    eval "run_jdk25_aot_$t() { create \"\$java25\" -XX:AOTCache=\"\$work/jdk25.aot\" -- $t; }"
    names+=("jdk25_$t" "jdk25_aot_$t")
  fi
done

time_rounds "$rounds" "${names[@]}"

py_best=$(best python_zlib)
py_median=$(median python_zlib)
echo "layer: $layer ($(stat -c %s "$layer") bytes), $rounds rounds, $(nproc) processors, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %8s %8s %14s %16s\n' command best_ms median_ms "best/python" "median/python"
for n in "${names[@]}"; do
  awk -v n="$n" -v b="$(best "$n")" -v m="$(median "$n")" -v pb="$py_best" -v pm="$py_median" \
    'BEGIN { printf "%-22s %8d %8d %13.2fx %15.2fx\n", n, b, m, b / pb, m / pm }'
done
