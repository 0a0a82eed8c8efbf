#!/bin/sh
# Vulnerability matching and import speed (docs/benchmarks.md, "vigil vuln"):
# a synthetic full-size Debian 12 slice (60,000 source-package/CVE rows, the
# size of the security tracker's bookworm data) imported into an empty store,
# re-imported unchanged, and a 2,000-package host matched against it warm.
# Reports wall time (ns/op) and CPU seconds per operation (cpu-s/op): on a
# shared machine the second is the one to compare.
set -eu
cd "$(dirname "$0")/.."
go test -count=1 -run XXX -bench 'BenchmarkVuln' -benchtime "${BENCHTIME:-3x}" ./internal/app/
go test -count=1 -run XXX -bench 'BenchmarkPackages' -benchtime "${BENCHTIME:-3x}" ./internal/vuln/match/
