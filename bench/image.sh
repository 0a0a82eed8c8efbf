#!/usr/bin/env bash
# Time `vigil image` against `dd bs=4M | sha256sum` on the same input (a
# file of SIZE MiB of random bytes, read from the page cache by both; each
# tool's output discarded, then written to a file). Goal (issue 19): at
# least as fast. Prints a Markdown table for docs/benchmarks.md.
#
#   bench/image.sh [SIZE_MIB] [RUNS]   (default 1024 MiB, 3 runs)
set -uo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
runs=${2:-3}
work=$(mktemp -d -p "${BENCH_DIR:-/var/tmp}")
trap 'rm -rf "$work"' EXIT
go build -o "$work/vigil" ./cmd/vigil || exit 2
head -c "$((size << 20))" /dev/urandom >"$work/src"
cat "$work/src" >/dev/null # into the page cache for both
load=$(cut -d' ' -f1 /proc/loadavg)
best() {
  local b=999999 s e t
  for _ in $(seq "$runs"); do
    rm -f "$work/out" "$work/out.vigil-image.json"
    s=$(date +%s.%N); sh -c "$1" >/dev/null 2>&1; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    b=$(echo "if ($t < $b) $t else $b" | bc)
  done
  printf '%.2f' "$b"
}
rate() { echo "scale=0; $size / $1" | bc; }
d1=$(best "dd if='$work/src' bs=4M status=none | sha256sum")
v1=$(best "'$work/vigil' image '$work/src' - --progress never >/dev/null")
d2=$(best "dd if='$work/src' bs=4M status=none | tee '$work/out' | sha256sum")
v2=$(best "'$work/vigil' image '$work/src' '$work/out' --progress never")
v3=$(best "'$work/vigil' image '$work/src' '$work/out' --progress never --md5")
echo "| $size MiB file, from the page cache | wall s (best of $runs) | MiB/s |"
echo "|---|---|---|"
echo "| dd bs=4M \| sha256sum | $d1 | $(rate "$d1") |"
echo "| vigil image SRC - (SHA-256) | $v1 | $(rate "$v1") |"
echo "| dd bs=4M \| tee OUT \| sha256sum | $d2 | $(rate "$d2") |"
echo "| vigil image SRC OUT (SHA-256, fsync, record) | $v2 | $(rate "$v2") |"
echo "| vigil image SRC OUT --md5 | $v3 | $(rate "$v3") |"
echo
echo "($(go env GOOS)/$(go env GOARCH), $(nproc) CPUs, 1-min load ${load} at start)"
