# Sourced by the benchmarks that index a one-layer image from a local registry (not run on its own):
# the registry with the image, and interleaved timing rounds.
#
# one_layer_registry LAYER WORK: writes a one-layer OCI image of LAYER (a gzip tar) in WORK/image, starts
# the Distribution registry ($registry_bin, the test-support RegistryServer's configuration) on 127.0.0.1
# with a free port, pushes the image there as bench/layer:1 with skopeo and removes the layout. Sets
# port, registry_pid (for the caller's cleanup), layer_hex and layer_size. Needs $python and $registry_bin.
# free_port: a free TCP port on 127.0.0.1.
one_layer_registry() {
  local layer=$1 work=$2
  local layout=$work/image
  mkdir -p "$layout/blobs/sha256"
  layer_hex=$(sha256sum "$layer" | cut -d' ' -f1)
  layer_size=$(stat -c %s "$layer")
  local diff_hex
  diff_hex=$(gzip -dc "$layer" | sha256sum | cut -d' ' -f1)
  ln "$layer" "$layout/blobs/sha256/$layer_hex" 2>/dev/null || cp "$layer" "$layout/blobs/sha256/$layer_hex"
  local config config_hex config_size manifest manifest_hex manifest_size
  config='{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:'$diff_hex'"]},"config":{}}'
  read -r config_hex config_size < <(put_blob "$layout" "$config")
  manifest='{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:'$config_hex'","size":'$config_size'},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:'$layer_hex'","size":'$layer_size'}]}'
  read -r manifest_hex manifest_size < <(put_blob "$layout" "$manifest")
  printf '{"imageLayoutVersion":"1.0.0"}' > "$layout/oci-layout"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"bench"}}]}' \
    "$manifest_hex" "$manifest_size" > "$layout/index.json"

  port=$(free_port)
  mkdir -p "$work/storage"
  cat > "$work/config.yml" <<CONFIG
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: bench-secret
CONFIG
  "$registry_bin" serve "$work/config.yml" > "$work/registry.log" 2>&1 &
  registry_pid=$!
  for _ in $(seq 100); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/v2/" && break
    sleep 0.1
  done
  curl -fs -o /dev/null "http://127.0.0.1:$port/v2/" || { cat "$work/registry.log" >&2; return 1; }
  skopeo copy -q --dest-tls-verify=false "oci:$layout:bench" "docker://127.0.0.1:$port/bench/layer:1"
  rm -rf "$layout" # the registry has its own copy
}

free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

put_blob() { # LAYOUT JSON -> "hex size" of the blob written
  local hex
  hex=$(printf '%s' "$2" | sha256sum | cut -d' ' -f1)
  printf '%s' "$2" > "$1/blobs/sha256/$hex"
  echo "$hex ${#2}"
}

# time_rounds ROUNDS NAME...: runs each run_NAME once (warm-up: caches, registry), then ROUNDS rounds
# of all of them interleaved, and fills times[NAME] with each round's milliseconds, space-separated.
time_rounds() {
  local rounds=$1 name r s e
  shift
  for name in "$@"; do "run_$name" > /dev/null; done
  declare -gA times=()
  for r in $(seq "$rounds"); do
    for name in "$@"; do
      s=$(date +%s%N)
      "run_$name" > /dev/null
      e=$(date +%s%N)
      times[$name]+="$(( (e - s) / 1000000 )) "
    done
    echo "round $r/$rounds done" >&2
  done
}

# print_times: the run's context, then each command's best and median (uses layer, layer_size, rounds and
# the arrays names and labels of the caller).
print_times() {
  local i
  echo "layer: $layer ($layer_size bytes), $rounds rounds, $(nproc) processors, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  printf '%-28s %9s %9s\n' command best_ms median_ms
  for i in "${!names[@]}"; do
    printf '%-28s %9s %9s\n' "${labels[$i]}" "$(best "${names[$i]}")" "$(median "${names[$i]}")"
  done
}

best() { tr ' ' '\n' <<<"${times[$1]}" | grep . | sort -n | head -1; }
median() { tr ' ' '\n' <<<"${times[$1]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
