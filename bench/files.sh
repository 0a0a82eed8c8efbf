#!/usr/bin/env bash
# Hashing speed of the file walk (internal/files) against sha256sum over the
# same files, per core (one worker, one sha256sum), and the whole default
# `vigil files` pass of a root. Goal (issue 17): hashing within 10% of
# sha256sum per core; the default pass of a lived-in server root under 30 s.
# Prints a Markdown table for docs/benchmarks.md.
#
#   bench/files.sh [TREE] [ROOT]   (default /var/cache/vigil-e2e/wordpress/usr and that root)
set -uo pipefail
cd "$(dirname "$0")/.."
tree=${1:-/var/cache/vigil-e2e/wordpress/usr}
root=${2:-/var/cache/vigil-e2e/wordpress}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/vigil" ./cmd/vigil || exit 2
go test -c -o "$work/files.test" ./internal/files || exit 2
load=$(cut -d' ' -f1 /proc/loadavg)
# Warm the page cache so both read from memory: the comparison is of the
# hashing path, not of the disk.
find "$tree" -type f -print0 | xargs -0 cat >/dev/null 2>&1

secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
out=$(VIGIL_BENCH_TREE="$tree" VIGIL_BENCH_WORKERS=1 "$work/files.test" -test.run '^TestHashRate$' 2>/dev/null | grep '^files ')
files=$(echo "$out" | awk '{print $2}')
bytes=$(echo "$out" | awk '{print $4}')
vig=$(echo "$out" | awk '{print $6}')
sum=$(secs sh -c "find '$tree' -type f -print0 | xargs -0 sha256sum")
ratio=$(echo "scale=2; $vig / $sum" | bc)
pass=$(secs "$work/vigil" files --root "$root" --no-store -f json)
echo "| $tree: $files files, $((bytes / 1048576)) MiB (page cache warm) | wall s |"
echo "|---|---|"
echo "| file walk, SHA-256 of every file, 1 worker | $vig |"
echo "| find -type f \| xargs sha256sum (1 process) | $sum |"
echo "| ratio walk / sha256sum | $ratio |"
echo "| vigil files --root $root (default places, every matcher) | $pass |"
echo
echo "($(go env GOOS)/$(go env GOARCH), $(nproc) CPUs, 1-min load ${load} at start)"
