# Sourced by the benchmarks that take LAYER.tar.gz [ROUNDS] [THREADS...] (not run on its own): sets layer,
# rounds (default 5), threads (default 1 2) and root (the repository), from the script's arguments.
layer=${1:?usage: $0 LAYER.tar.gz [ROUNDS] [THREADS...]}
rounds=${2:-5}
shift $(( $# >= 2 ? 2 : 1 ))
threads=("$@")
(( ${#threads[@]} )) || threads=(1 2)
root="$(cd "$(dirname "$0")/.." && pwd)"
