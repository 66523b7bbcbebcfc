#!/usr/bin/env bash
# Whole-process comparison, in one run, of indexing a large one-layer image over one connection and
# over several, from a registry whose every connection is capped in bandwidth (as one connection to
# the storage behind ECR is), against curl of the same blob through the same cap.
#
# Makes (once, kept in LAYER) a ~500 MB gzip layer of random data (gzip -1: it stays ~500 MB), builds a
# one-layer OCI image of it, starts the Distribution registry (/usr/bin/docker-registry) on 127.0.0.1
# with a free port, pushes the image with skopeo, starts bench/throttle-proxy.py in front of it
# (MBPS MB/s per TCP connection, default 50), then times ROUNDS interleaved rounds of, all through
# the proxy:
#   curl             curl of the layer blob to /dev/null (one connection: the external baseline)
#   index, 1 conn    soci-builder index IMAGE --force --blob-connections 1
#   index, N conns   soci-builder index IMAGE --force --blob-connections N (CONNECTIONS, default 4)
# soci-builder runs with -Xmx128m. Prints the best and the median of each and the ratios (best over best).
#
# Usage: bench/ranged-download.sh [ROUNDS]        (after mvn -DskipTests package)
#   LAYER=/path/layer.tar.gz (default /tmp/soci-bench-500mb.tar.gz; made if missing, kept for later runs;
#   delete it when done), MBPS=50 (0: no proxy, straight to the registry), CONNECTIONS=4,
#   JAVA=/path/to/java, JAR=/path/to/soci-builder.jar.
set -euo pipefail
rounds=${1:-3}
here=$(cd "$(dirname "$0")" && pwd)
jar=$(realpath "${JAR:-$here/../cli/target/soci-builder.jar}")
java=${JAVA:-java}
python=$(python3 -c 'import sys; print(sys.executable)') # not a pyenv shim: no start-up script
registry_bin=${REGISTRY_BINARY:-/usr/bin/docker-registry}
layer=${LAYER:-/tmp/soci-bench-500mb.tar.gz}
mbps=${MBPS:-50}
connections=${CONNECTIONS:-4}
[[ -f $jar ]] || { echo "no $jar: run mvn -DskipTests package first" >&2; exit 1; }
unset SOCI_BUILDER_ZTOC_CACHE SOCI_BUILDER_BLOB_CONNECTIONS

work=$(mktemp -d /tmp/ranged-download.XXXXXX)
registry_pid=
proxy_pid=
cleanup() {
  for pid in $proxy_pid $registry_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# --- the layer: 5 files of 100 MB of random data, gzip -1 --------------------------------------
if [[ ! -f $layer ]]; then
  echo "making $layer (500 MB of random data, gzip -1)" >&2
  mkdir -p "$work/files"
  for i in 1 2 3 4 5; do head -c 100000000 /dev/urandom > "$work/files/random-$i.bin"; done
  tar -C "$work/files" --owner=0 --group=0 --mtime=@0 -cf - . | gzip -1 > "$layer.tmp"
  mv "$layer.tmp" "$layer"
  rm -rf "$work/files"
fi
layer=$(realpath "$layer")

# --- the one-layer image in a local registry ---------------------------------------------------
. "$here/one-layer-registry.sh"
one_layer_registry "$layer" "$work"

# --- the bandwidth cap (MBPS=0: none, straight to the registry) ----------------------------------
if [[ $mbps == 0 ]]; then
  proxy_port=$port
else
  proxy_port=$(free_port)
  "$python" "$here/throttle-proxy.py" "$proxy_port" "127.0.0.1:$port" "$mbps" &
  proxy_pid=$!
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$proxy_port/v2/" && break
    sleep 0.1
  done
fi
image=127.0.0.1:$proxy_port/bench/layer:1
blob_url=http://127.0.0.1:$proxy_port/v2/bench/layer/blobs/sha256:$layer_hex

# --- the measured commands --------------------------------------------------------------------
run_curl() { curl -fs -o /dev/null "$blob_url"; }
# shellcheck disable=SC2086
run_one() { "$java" -Xmx128m ${JAVA_OPTS:-} -jar "$jar" index "$image" --plain-http --force --blob-connections 1 > /dev/null; }
# shellcheck disable=SC2086
run_many() { "$java" -Xmx128m ${JAVA_OPTS:-} -jar "$jar" index "$image" --plain-http --force --blob-connections "$connections" > /dev/null; }
names=(curl one many)
labels=("curl (1 connection)" "index, 1 connection" "index, $connections connections")

time_rounds "$rounds" "${names[@]}"

echo "layer: $layer ($layer_size bytes), $mbps MB/s per connection, $rounds rounds, $(nproc) processors," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %9s %9s %8s\n' command best_ms median_ms MB/s
for i in "${!names[@]}"; do
  b=$(best "${names[$i]}")
  printf '%-28s %9s %9s %8.1f\n' "${labels[$i]}" "$b" "$(median "${names[$i]}")" \
    "$(awk -v s="$layer_size" -v ms="$b" 'BEGIN { print s / ms / 1000 }')"
done
ratio() { awk -v a="$(best "$1")" -v b="$(best "$2")" -v l="$3" 'BEGIN { printf "%-40s %6.2f\n", l, a / b }'; }
ratio one many "index 1 connection / $connections connections"
ratio one curl "index 1 connection / curl"
ratio many curl "index $connections connections / curl"
