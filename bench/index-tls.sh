#!/usr/bin/env bash
# What TLS costs `soci-builder index` in a fresh JVM: the same one-layer image indexed from a local
# Distribution registry over https and over plain http, in one run, against curl over https.
#
# Builds a one-layer OCI image of LAYER (a gzip tar) and pushes it to a plain-http registry (as
# bench/index-vs-curl.sh does), then copies it to a second registry that serves https with a
# self-signed certificate for 127.0.0.1 (openssl). soci-builder trusts it through a copy of the JDK's
# own trust store with that certificate added (keytool), so the trust store it reads is as large as
# the default one. ROUNDS interleaved rounds, best and median of:
#   curl https|zlib   curl of the blob over https piped into python3's zlib inflate
#   index https       soci-builder index --force over https (default settings), through the launcher
#                     script cli/soci-builder (its JVM options; -Xmx and the trust store in JAVA_TOOL_OPTIONS)
#   index https, jar  the same with java -jar (no launcher: the JVM's default options)
#   index https, 1    the same with --blob-connections 1 (one connection: no ranged download)
#   index http        soci-builder index --force --plain-http of the same image
#   ztoc create       soci-builder ztoc create of the layer file
# Every soci-builder run has -Xmx128m. Prints the ratios of the https index to the others.
#
# Usage: bench/index-tls.sh LAYER.tar.gz [ROUNDS]      (after mvn -DskipTests package)
#   JAVA=/path/to/java for another JVM (its trust store is the one copied); JAR=/path/to/soci-builder.jar
#   to measure another build.
set -euo pipefail
layer=$(realpath "${1:?usage: $0 LAYER.tar.gz [ROUNDS]}")
rounds=${2:-5}
jar=$(realpath "${JAR:-$(dirname "$0")/../cli/target/soci-builder.jar}")
launcher=$(realpath "$(dirname "$0")/../cli/soci-builder")
java=${JAVA:-java}
python=$(python3 -c 'import sys; print(sys.executable)')
registry_bin=${REGISTRY_BINARY:-/usr/bin/docker-registry}
[[ -f $jar ]] || { echo "no $jar: run mvn -DskipTests package first" >&2; exit 1; }
for tool in openssl keytool skopeo curl; do
  command -v "$tool" > /dev/null || { echo "$tool is needed" >&2; exit 1; }
done
unset SOCI_BUILDER_ZTOC_CACHE

work=$(mktemp -d /tmp/index-tls.XXXXXX)
registry_pid=
tls_pid=
cleanup() {
  for pid in $registry_pid $tls_pid; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# --- the image over plain http, then over https -------------------------------------------------
. "$(dirname "$0")/one-layer-registry.sh"
one_layer_registry "$layer" "$work"
plain_image=127.0.0.1:$port/bench/layer:1

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2> /dev/null
java_home=$(dirname "$(dirname "$(readlink -f "$(command -v "${java%% *}")")")")
cp "$java_home/lib/security/cacerts" "$work/truststore"
chmod u+w "$work/truststore"
keytool -importcert -noprompt -alias bench -file "$work/cert.pem" -keystore "$work/truststore" \
  -storepass changeit > /dev/null 2>&1
trust="-Djavax.net.ssl.trustStore=$work/truststore -Djavax.net.ssl.trustStorePassword=changeit"

tls_port=$(free_port)
mkdir -p "$work/tls-storage"
sed -e "s#rootdirectory: .*#rootdirectory: $work/tls-storage#" -e "s#addr: .*#addr: 127.0.0.1:$tls_port#" \
  "$work/config.yml" > "$work/tls.yml"
printf '  tls:\n    certificate: %s\n    key: %s\n' "$work/cert.pem" "$work/key.pem" >> "$work/tls.yml"
"$registry_bin" serve "$work/tls.yml" > "$work/tls-registry.log" 2>&1 &
tls_pid=$!
for _ in $(seq 100); do
  curl -fs --cacert "$work/cert.pem" -o /dev/null "https://127.0.0.1:$tls_port/v2/" && break
  sleep 0.1
done
curl -fs --cacert "$work/cert.pem" -o /dev/null "https://127.0.0.1:$tls_port/v2/" ||
  { cat "$work/tls-registry.log" >&2; exit 1; }
skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
  "docker://$plain_image" "docker://127.0.0.1:$tls_port/bench/layer:1"
tls_image=127.0.0.1:$tls_port/bench/layer:1
blob_url=https://127.0.0.1:$tls_port/v2/bench/layer/blobs/sha256:$layer_hex

# --- the measured commands --------------------------------------------------------------------
inflate_py='import sys, zlib
d = zlib.decompressobj(16 + zlib.MAX_WBITS)
r = sys.stdin.buffer
while True:
    chunk = r.read(1 << 20)
    if not chunk:
        break
    d.decompress(chunk)
d.flush()
assert d.eof, "truncated gzip"
'
run_curl_zlib() { curl -fsL --cacert "$work/cert.pem" "$blob_url" | "$python" -c "$inflate_py"; }
# shellcheck disable=SC2086
run_index_https() {
  JAVA="$java" SOCI_BUILDER_JAR="$jar" JAVA_TOOL_OPTIONS="-Xmx128m $trust" "$launcher" index "$tls_image" --force \
    > /dev/null 2> "$work/launcher.err" || { cat "$work/launcher.err" >&2; return 1; }
}
# shellcheck disable=SC2086
run_index_https_jar() { "$java" -Xmx128m $trust -jar "$jar" index "$tls_image" --force > /dev/null; }
# shellcheck disable=SC2086
run_index_https_one() { "$java" -Xmx128m $trust -jar "$jar" index "$tls_image" --force --blob-connections 1 > /dev/null; }
run_index_http() { "$java" -Xmx128m -jar "$jar" index "$plain_image" --plain-http --force > /dev/null; }
run_ztoc() { "$java" -Xmx128m -jar "$jar" ztoc create "$layer" -o "$work/layer.ztoc"; }
names=(curl_zlib index_https index_https_jar index_https_one index_http ztoc)
labels=("curl https | python3 zlib" "index https" "index https, java -jar" "index https, 1 connection" "index http"
  "ztoc create of the file")

cat "$layer" > /dev/null # page cache
time_rounds "$rounds" "${names[@]}"

print_times
for i in 0 2 3 4 5; do
  awk -v a="$(best index_https)" -v b="$(best "${names[$i]}")" -v l="${labels[$i]}" \
    'BEGIN { printf "index https / %-26s %6.2f\n", l, a / b }'
done
