#!/usr/bin/env bash
# Every Go benchmark under internal/, as a Markdown table (time per op, MB/s
# where the benchmark reports bytes, allocations). The real-root benchmarks
# (integrity RealRoot, pkgdb LoadRealRoot) read the debootstrap root.
#
#   bench/gobench.sh [COUNT]   COUNT iterations of each benchmark (default 3)
#
# Raw output: bench/out/gobench.txt.
set -uo pipefail
cd "$(dirname "$0")/.."
count=${1:-3}
out=bench/out
mkdir -p "$out"
root=$(scripts/debian-root.sh 2>/dev/null) || root=
export VIGIL_E2E_ROOT=${VIGIL_E2E_ROOT:-$root} VIGIL_BENCH_ROOT=${VIGIL_BENCH_ROOT:-$root}
# Compile first, then wait (up to BENCH_SETTLE_MAX s) for the 1-minute load
# average to fall below BENCH_MAX_LOAD before running.
go test -run '^$' -count=1 ./internal/... >/dev/null 2>&1
max=${BENCH_SETTLE_MAX:-900}
while awk -v l="$(cut -d' ' -f1 /proc/loadavg)" -v m="${BENCH_MAX_LOAD:-1.2}" 'BEGIN { exit !(l >= m) }' && [ "$max" -gt 0 ]; do
  sleep 10; max=$((max - 10))
done
load=$(cut -d' ' -f1 /proc/loadavg)
go test -run '^$' -bench . -benchtime "${count}x" -benchmem ./internal/... >"$out/gobench.txt" 2>&1
echo "| package | benchmark | time/op | MB/s | KiB alloc/op | allocs/op |"
echo "|---|---|---|---|---|---|"
awk '
  /^pkg: / { pkg = $2; sub(/^github.com\/vigil-ir\/vigil\/internal\//, "", pkg) }
  /^Benchmark/ {
    name = $1; sub(/-[0-9]+$/, "", name); sub(/^Benchmark/, "", name)
    ns = mbs = by = al = ""
    for (i = 2; i < NF; i++) {
      if ($(i+1) == "ns/op") ns = $i
      if ($(i+1) == "MB/s") mbs = $i
      if ($(i+1) == "B/op") by = $i
      if ($(i+1) == "allocs/op") al = $i
    }
    t = (ns == "" ? "-" : ns >= 1e6 ? sprintf("%.1f ms", ns / 1e6) : sprintf("%.1f µs", ns / 1e3))
    printf "| %s | %s | %s | %s | %s | %s |\n", pkg, name, t,
      (mbs == "" ? "-" : mbs), (by == "" ? "-" : sprintf("%.0f", by / 1024)), (al == "" ? "-" : al)
  }' "$out/gobench.txt"
fails=$(grep -E '^(FAIL|--- FAIL|panic)' "$out/gobench.txt")
[ -n "$fails" ] && { echo; echo "Failures (see $out/gobench.txt):"; echo "$fails" | sed 's/^/    /'; }
echo
echo "($(go version | cut -d' ' -f3), $(nproc) CPUs, -benchtime ${count}x, 1-min load ${load} at start)"
