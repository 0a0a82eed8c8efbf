#!/usr/bin/env bash
# Run every Go fuzz target for a while (default 10s each).
#   scripts/fuzz.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10s}
fail=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for fz in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "== $pkg $fz"
    go test "$pkg" -run '^$' -fuzz "^$fz\$" -fuzztime "$dur" || fail=1
  done
done
exit $fail
