#!/usr/bin/env bash
# Differential campaign (not part of the test suite; needs Go): our zTOC build's TOC against what soci's TOC builder
# takes from the same layers through Go's archive/tar, on COUNT random and byte-mutated gzip tars (tar-mutants.py).
# Every layer must give the same entries (name, type, offset, size, link name, mode, ids, names, mod_time text,
# devices, PAX records) and archive size, or be rejected by both.
# Usage: ztoc-core/src/test/differential/tar-vs-go.sh [COUNT] [SEED]   (after: mvn -q -pl ztoc-core -am test-compile)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
count=${1:-1000}
seed=${2:-$RANDOM}
command -v go > /dev/null || { echo "Go is needed (apt-get install golang-go)" >&2; exit 2; }
cp="$root/ztoc-core/target/classes:$root/ztoc-core/target/test-classes"
[[ -f "$root/ztoc-core/target/test-classes/dev/socibuilder/ztoc/TocListMain.class" ]] ||
  { echo "build first: mvn -q -pl ztoc-core -am test-compile" >&2; exit 2; }
work=$(mktemp -d /tmp/tar-vs-go.XXXXXX)
trap 'rm -rf "$work"' EXIT

GO111MODULE=off go build -o "$work/tarlist" "$here/tarlist.go"
python3 "$here/tar-mutants.py" "$work/layers" "$count" "$seed"
# Go's reader gives mod times in the local zone; soci's reference runs and our default are UTC.
TZ=UTC "$work/tarlist" "$work"/layers/*.tar.gz > "$work/go.txt"
java -Xmx512m -cp "$cp" dev.socibuilder.ztoc.TocListMain "$work"/layers/*.tar.gz > "$work/ours.txt"

python3 - "$work/go.txt" "$work/ours.txt" "$seed" "$here" << 'PY'
import sys
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, sys.argv[-1])
from listing import cases
go, ours = cases(sys.argv[1]), cases(sys.argv[2])
differ = valid = 0
for layer, expected in go.items():
    actual = ours.get(layer, [])
    if expected and expected[-1].startswith('ERR') and actual and actual[-1].startswith('ERR'):
        continue
    valid += expected[-1].startswith('END') if expected else 0
    if expected != actual:
        differ += 1
        print('DIFFERS', layer)
        for e, a in zip(expected + ['(none)'], actual + ['(none)']):
            if e != a:
                print('  go:  ', e[:400])
                print('  ours:', a[:400])
                break
print(f'seed {sys.argv[3]}: {len(go)} layers ({valid} valid for Go), {differ} differ')
sys.exit(1 if differ else 0)
PY
