#!/usr/bin/env bash
# Time the store: saving a scan of 10,000 findings (one transaction),
# loading it back, and diffing two such scans (in memory, and as
# 'vigil diff' does: load both from the store, then compare).
# Goal: each well under a second. Prints a Markdown table for
# docs/benchmarks.md.
#
#   bench/store.sh [COUNT]   COUNT runs of each benchmark (default 5)
set -uo pipefail
cd "$(dirname "$0")/.."
count=${1:-5}
# Compile first, then wait (up to BENCH_SETTLE_MAX s) for the 1-minute load
# average to fall below BENCH_MAX_LOAD before timing.
go test -run '^$' -count=1 ./internal/store/ ./internal/diff/ ./internal/app/ >/dev/null 2>&1
max=${BENCH_SETTLE_MAX:-900}
while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="${BENCH_MAX_LOAD:-1.2}" 'BEGIN { exit !(l >= m) }' && [ "$max" -gt 0 ]; do
  sleep 10; max=$((max - 10))
done
load=$(cut -d' ' -f1 /proc/loadavg)
out=$(go test -run '^$' -bench 'Save10000|Load10000|Compare10000|DiffStored10000' -benchtime "${count}x" -benchmem \
  ./internal/store/ ./internal/diff/ ./internal/app/ 2>&1) || { echo "$out"; exit 2; }
echo "| operation (10,000 findings) | ms per run | MiB allocated per run |"
echo "|---|---|---|"
echo "$out" | awk '
  /^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name)
    what = name
    if (name ~ /Save10000/) what = "save a scan (one transaction)"
    if (name ~ /Load10000/) what = "load a saved scan for replay"
    if (name ~ /Compare10000/) what = "diff two scans in memory"
    if (name ~ /DiffStored10000/) what = "vigil diff: load two saved scans and diff"
    for (i = 1; i <= NF; i++) { if ($(i+1) == "ns/op") ns = $i; if ($(i+1) == "B/op") by = $i }
    printf "| %s | %.0f | %.1f |\n", what, ns / 1e6, by / 1048576
  }'
echo
echo "($(go env GOOS)/$(go env GOARCH), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ //'), ${count} runs each, 1-min load ${load} at start)"
