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
log=$bin/fuzz.log
# fuzz_one runs target $fz of $pkg (binary $exe, directory $dir) for $dur,
# its output to the terminal and to $log.
fuzz_one() {
  : >"$log"
  (cd "$dir" && "$exe" -test.run '^$' -test.fuzz "^$fz\$" -test.fuzztime "$dur" \
    -test.fuzzcachedir "$cache/$pkg") 2>&1 | tee -a "$log"
  return "${PIPESTATUS[0]}"
}
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
    before=$(ls "$dir/testdata/fuzz/$fz" 2>/dev/null | wc -l || true)
    if ! fuzz_one; then
      # Go's fuzzing coordinator sometimes ends a short run with "context
      # deadline exceeded" and no failing input (a worker busy when the
      # time ran out). That is not a crash: run the target once more, and
      # fail only when it fails again or left an input behind.
      after=$(ls "$dir/testdata/fuzz/$fz" 2>/dev/null | wc -l || true)
      if grep -q 'context deadline exceeded' "$log" && [ "$after" = "$before" ] && fuzz_one; then
        echo "(retried $pkg $fz after the coordinator's deadline error)"
      else
        echo "FAIL: $pkg $fz (the failing input is under $dir/testdata/fuzz/$fz/)" >&2
        fail=1
      fi
    fi
  done
done < <(go list -f '{{.ImportPath}} {{.Dir}}' "$@")
echo "fuzzed $n targets for $dur each"
exit $fail
