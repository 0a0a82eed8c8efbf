#!/usr/bin/env bash
# Run every benchmark script and the Go benchmarks; paste the tables into
# docs/benchmarks.md.
set -uo pipefail
cd "$(dirname "$0")/.."
for s in bench/*.sh; do
  [ "$s" = bench/run.sh ] && continue
  echo "## $s"; bash "$s"; echo
done
echo "## go test -bench"
go test -run '^$' -bench . -benchtime 1x ./internal/... 2>/dev/null | grep -E '^(Benchmark|ok|---)'
