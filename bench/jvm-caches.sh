#!/usr/bin/env bash
# Whole processes, `soci-builder ztoc create` of one layer through the launcher (cli/soci-builder) in fresh
# JVMs, with and without the JVM's start-up caches, against python's zlib inflate of the same file;
# interleaved round by round, best and median of N, every JVM with -Xmx128m:
#   jdk17          the default java (17)
#   jdk17_cds      JDK 17 with the launcher's cache (SOCI_BUILDER_JVM_CACHE): an AppCDS archive, classes
#                  loaded and verified
#   jdk25          Temurin 25 ($JAVA25)
#   jdk25_aot      JDK 25 with the launcher's cache (SOCI_BUILDER_JVM_CACHE): classes loaded and
#                  linked, and the methods' profiles (JEP 515), so that the JIT compiles the decoders early
# The archive and the cache are trained once, before the rounds, on another layer than the measured one:
# $TRAIN (a gzip tar; default: the 13 MB layer of the sample image the build makes), built with
# --inflate-threads 2 by `ztoc create` (the AOT cache by the launcher's own training run).
# Each `ztoc create` runs on every thread count given (--inflate-threads).
# Usage: [TRAIN=LAYER] bench/jvm-caches.sh LAYER.tar.gz [ROUNDS] [THREADS...]
#   (after: mvn -B -q -DskipTests package)
set -euo pipefail
# shellcheck source=bench/layer-args.sh
source "$(dirname "$0")/layer-args.sh" # layer, rounds, threads, root
launcher=$root/cli/soci-builder
sample=$root/cli/target/sample-image
[[ -f $root/cli/target/soci-builder.jar && -d $sample ]] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 2; }
java17=${JAVA17:-java}
java25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
python=${PYTHON:-python3}
# The sample image's largest blob is its big layer.
train=${TRAIN:-$(ls -S "$sample"/blobs/sha256/* | head -n 1)}
# shellcheck source=bench/one-layer-registry.sh
source "$root/bench/one-layer-registry.sh" # time_rounds, best, median

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat "$layer" > /dev/null # page cache

create() { # LAYER OUT THREADS [VAR=VALUE...]: the launcher's ztoc create in that environment, -Xmx128m
  local in=$1 out=$2 t=$3
  shift 3
  env JAVA_TOOL_OPTIONS=-Xmx128m "$@" "$launcher" ztoc create "$in" -o "$out" --inflate-threads "$t" \
    2> >(grep -v 'Picked up J' >&2)
}

echo "training the AppCDS archive (JDK 17) and the AOT cache (JDK 25) on $train" >&2
create "$train" "$work/train.ztoc" 2 JAVA="$java17" SOCI_BUILDER_JVM_CACHE="$work/cds" > /dev/null 2>&1
have25=false
if [[ -x $java25 ]] && create "$train" "$work/train.ztoc" 2 JAVA="$java25" SOCI_BUILDER_JVM_CACHE="$work/aot" \
  > /dev/null 2>&1 && compgen -G "$work/aot/*.aot" > /dev/null; then
  have25=true
else
  echo "no JDK 25 at $java25 (set JAVA25), or its training failed: its rows are left out" >&2
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
names=(python_zlib)
for t in "${threads[@]}"; do
  eval "run_jdk17_$t() { create \"\$layer\" \"\$work/out.ztoc\" $t JAVA=\"\$java17\"; }"
  eval "run_jdk17_cds_$t() { create \"\$layer\" \"\$work/out.ztoc\" $t JAVA=\"\$java17\" \
    SOCI_BUILDER_JVM_CACHE=\"\$work/cds\"; }"
  names+=("jdk17_$t" "jdk17_cds_$t")
  if $have25; then
    eval "run_jdk25_$t() { create \"\$layer\" \"\$work/out.ztoc\" $t JAVA=\"\$java25\"; }"
    eval "run_jdk25_aot_$t() { create \"\$layer\" \"\$work/out.ztoc\" $t JAVA=\"\$java25\" \
      SOCI_BUILDER_JVM_CACHE=\"\$work/aot\"; }"
    names+=("jdk25_$t" "jdk25_aot_$t")
  fi
done

time_rounds "$rounds" "${names[@]}"

py_best=$(best python_zlib)
py_median=$(median python_zlib)
echo "layer: $layer ($(stat -c %s "$layer") bytes), trained on $train, $rounds rounds, $(nproc) processors," \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %8s %8s %14s %16s\n' command best_ms median_ms "best/python" "median/python"
for n in "${names[@]}"; do
  awk -v n="$n" -v b="$(best "$n")" -v m="$(median "$n")" -v pb="$py_best" -v pm="$py_median" \
    'BEGIN { printf "%-22s %8d %8d %13.2fx %15.2fx\n", n, b, m, b / pb, m / pm }'
done
