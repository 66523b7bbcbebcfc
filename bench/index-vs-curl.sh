#!/usr/bin/env bash
# Whole-process comparison, in one run, of indexing a one-layer image from a registry against
# downloading and inflating that layer with external tools.
#
# Builds a one-layer OCI image of LAYER (a gzip tar), starts the Distribution registry
# (/usr/bin/docker-registry) on 127.0.0.1 with a free port and a temporary config, pushes the image
# with skopeo, then times ROUNDS interleaved rounds of:
#   curl             curl of the layer blob to /dev/null
#   curl|zlib        curl of the blob piped into python3's zlib inflate (the issue's baseline)
#   skopeo           skopeo copy of the image to an OCI layout (download + verify + write)
#   gzip -dc, pigz -dc of the layer file
#   ztoc create      soci-builder ztoc create of the layer file
#   index            soci-builder index IMAGE --force (download + verify + zTOC + publish)
# Both soci-builder commands run with -Xmx128m. Prints the best and the median of each and the
# ratios of `index` to the baselines (best over best).
#
# Usage: bench/index-vs-curl.sh LAYER.tar.gz [ROUNDS]      (after mvn -DskipTests package)
#   JAVA=/path/to/java to use another JVM; JAVA_OPTS adds JVM options to both soci-builder runs;
#   JAR=/path/to/soci-builder.jar to measure another build (e.g. an older commit's).
set -euo pipefail
layer=$(realpath "${1:?usage: $0 LAYER.tar.gz [ROUNDS]}")
rounds=${2:-5}
jar=$(realpath "${JAR:-$(dirname "$0")/../cli/target/soci-builder.jar}")
java=${JAVA:-java}
python=$(python3 -c 'import sys; print(sys.executable)') # not a pyenv shim: no start-up script
registry_bin=${REGISTRY_BINARY:-/usr/bin/docker-registry}
[[ -f $jar ]] || { echo "no $jar: run mvn -DskipTests package first" >&2; exit 1; }
unset SOCI_BUILDER_ZTOC_CACHE

work=$(mktemp -d /tmp/index-vs-curl.XXXXXX)
registry_pid=
cleanup() {
  if [[ -n $registry_pid ]]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- the one-layer image in a local registry ---------------------------------------------------
. "$(dirname "$0")/one-layer-registry.sh"
one_layer_registry "$layer" "$work"
image=127.0.0.1:$port/bench/layer:1
blob_url=http://127.0.0.1:$port/v2/bench/layer/blobs/sha256:$layer_hex

# --- the measured commands --------------------------------------------------------------------
inflate_py='import sys, zlib
d = zlib.decompressobj(16 + zlib.MAX_WBITS)
r = sys.stdin.buffer
n = 0
while True:
    chunk = r.read(1 << 20)
    if not chunk:
        break
    n += len(d.decompress(chunk))
n += len(d.flush())
assert d.eof, "truncated gzip"
'
ztoc_out=$work/layer.ztoc
run_curl() { curl -fs -o /dev/null "$blob_url"; }
run_curl_zlib() { curl -fs "$blob_url" | "$python" -c "$inflate_py"; }
run_skopeo() { rm -rf "$work/copy"; skopeo copy -q --src-tls-verify=false "docker://$image" "oci:$work/copy:bench"; }
run_gzip() { gzip -dc "$layer" > /dev/null; }
run_pigz() { pigz -dc "$layer" > /dev/null; }
# shellcheck disable=SC2086
run_ztoc() { "$java" -Xmx128m ${JAVA_OPTS:-} -jar "$jar" ztoc create "$layer" -o "$ztoc_out"; }
# shellcheck disable=SC2086
run_index() { "$java" -Xmx128m ${JAVA_OPTS:-} -jar "$jar" index "$image" --plain-http --force > /dev/null; }
names=(curl curl_zlib skopeo gzip pigz ztoc index)
labels=("curl" "curl | python3 zlib" "skopeo copy to oci:" "gzip -dc" "pigz -dc" "soci-builder ztoc create" "soci-builder index --force")

cat "$layer" > /dev/null # page cache
time_rounds "$rounds" "${names[@]}"

print_times
index_ms=$(best index)
for i in 0 1 2 3 4 5; do
  awk -v a="$index_ms" -v b="$(best "${names[$i]}")" -v l="${labels[$i]}" \
    'BEGIN { printf "index / %-26s %6.2f\n", l, a / b }'
done
