#!/usr/bin/env bash
# Differential campaign (not part of the test suite; needs a C compiler and zlib's headers): our zTOC build's
# checkpoints against the ones soci's gzip_zinfo.c takes with zlib (zinfo.c, the same Z_BLOCK loop), on COUNT gzip
# tars from other compressors (zinfo-streams.py; Go's compress/gzip too where Go is installed), on one thread and on two in small chunks, at a random span size
# per run. A whole layer must give the same checkpoints (in, out, bits, window); a layer zlib rejects must be
# rejected; a damaged layer we build must have zlib's checkpoints.
# Usage: ztoc-core/src/test/differential/zinfo-vs-zlib.sh [COUNT] [SEED]   (after: mvn -q -pl ztoc-core -am test-compile)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
count=${1:-200}
seed=${2:-$RANDOM}
cp="$root/ztoc-core/target/classes:$root/ztoc-core/target/test-classes"
[[ -f "$root/ztoc-core/target/test-classes/dev/socibuilder/ztoc/ZinfoListMain.class" ]] ||
  { echo "build first: mvn -q -pl ztoc-core -am test-compile" >&2; exit 2; }
work=$(mktemp -d /tmp/zinfo-vs-zlib.XXXXXX)
trap 'rm -rf "$work"' EXIT

cc -O2 -o "$work/zinfo" "$here/zinfo.c" -lz
if command -v go > /dev/null; then # Go's compress/gzip too, as docker and BuildKit write layers
  GO111MODULE=off go build -o "$work/gzip-go" "$here/gzip-go.go"
  export GO_GZIP="$work/gzip-go"
fi
python3 "$here/zinfo-streams.py" "$work/layers" "$count" "$seed" > "$work/variants.txt"
spans=(16384 65536 1048576 4194304)
span=${spans[$((seed % 4))]}
"$work/zinfo" "$span" "$work"/layers/*.tar.gz > "$work/zlib.txt"
java -Xmx512m -cp "$cp" dev.socibuilder.ztoc.ZinfoListMain "$span" 1 4194304 "$work"/layers/*.tar.gz > "$work/one.txt"
java -Xmx512m -cp "$cp" dev.socibuilder.ztoc.ZinfoListMain "$span" 2 65536 "$work"/layers/*.tar.gz > "$work/two.txt"

python3 - "$work" "$seed" "$span" "$here" << 'PY'
import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[-1])
from listing import cases
work, seed, span = sys.argv[1:4]
variant = dict(line.split() for line in open(work + '/variants.txt'))
zl = cases(work + '/zlib.txt')
differ = compared = 0
for side in ('one', 'two'):
    ours = cases(f'{work}/{side}.txt')
    for layer, expected in zl.items():
        actual = ours[layer]
        z_err, o_err = expected[-1].startswith('ERR'), actual[-1].startswith('ERR')
        if z_err:
            ok = o_err
        elif o_err:
            ok = variant[layer] != '0'  # a damaged tar may fail the tar scan while its gzip stream is sound
        else:
            ok = [l for l in expected if l.startswith('C ')] == [l for l in actual if l.startswith('C ')]
            compared += 1
        if not ok:
            differ += 1
            print('DIFFERS', side, 'thread(s)', layer, 'variant', variant[layer])
            print('  zlib:', expected[-3:])
            print('  ours:', actual[-3:])
print(f'seed {seed}, span {span}: {len(zl)} layers, {compared} checkpoint lists compared on 1 and 2 threads, {differ} differ')
sys.exit(1 if differ else 0)
PY
