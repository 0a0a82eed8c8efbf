#!/usr/bin/env bash
# Run every Go fuzz target for a while (default 10s each).
#   scripts/fuzz.sh [DURATION] [PACKAGE...]      e.g. scripts/fuzz.sh 3s ./internal/detect/...
# Each package's test binary is built once, instrumented for fuzzing, and run
# once per target from the package directory, so that an input that fails
# lands in testdata/fuzz/FuzzX/ (Go's standard place) and replays as a
# regression test in every `go test`. Exits non-zero when any target fails.
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10s}
shift || true
[ $# -gt 0 ] || set -- ./...
cache=$(go env GOCACHE)/fuzz
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
fail=0 n=0
while read -r pkg dir; do
  targets=$(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u || true)
  [ -n "$targets" ] || continue
  exe=$bin/${pkg//\//_}.test
  if ! go test -c -fuzz=. -o "$exe" "$pkg"; then
    fail=1
    continue
  fi
  for fz in $targets; do
    n=$((n + 1))
    echo "== $pkg $fz"
    if ! (cd "$dir" && "$exe" -test.run '^$' -test.fuzz "^$fz\$" -test.fuzztime "$dur" \
      -test.fuzzcachedir "$cache/$pkg"); then
      echo "FAIL: $pkg $fz (the failing input is under $dir/testdata/fuzz/$fz/)" >&2
      fail=1
    fi
  done
done < <(go list -f '{{.ImportPath}} {{.Dir}}' "$@")
echo "fuzzed $n targets for $dur each"
exit $fail
