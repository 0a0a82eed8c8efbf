#!/usr/bin/env bash
# Time `vigil collect --profile triage` of a mounted root against
# `tar | zstd | sha256sum` of the same files (the paths the manifest lists:
# same bytes in, no manifest, no signature, no per-file hashes). Goal
# (issue 19): the triage profile of a mounted server root in under 5 s.
# Prints a Markdown table for docs/benchmarks.md.
#
#   bench/collect.sh [ROOT] [RUNS]   (default /var/cache/vigil-e2e/bookworm, 5 runs)
set -uo pipefail
cd "$(dirname "$0")/.."
root=${1:-/var/cache/vigil-e2e/bookworm}
runs=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/vigil" ./cmd/vigil || exit 2
export VIGIL_STORE="$work/state/vigil.db"
load=$(cut -d' ' -f1 /proc/loadavg)

# wall seconds of a command, best of $runs
best() {
  local b=999999 s e t
  for _ in $(seq "$runs"); do
    rm -f "$work/out"
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    b=$(echo "if ($t < $b) $t else $b" | bc)
  done
  printf '%.2f' "$b"
}
vig=$(best "$work/vigil" collect --root "$root" -o "$work/out")
"$work/vigil" collect --root "$root" -o "$work/a.tar.zst" 2>/dev/null
"$work/vigil" evidence verify "$work/a.tar.zst" -f json |
  python3 -c 'import json,sys; m=json.load(sys.stdin)["manifest"]
print("\n".join(i["path"].lstrip("/") for i in m["items"] if i.get("path") and i["kind"]!="kernel"), end="")' >"$work/list"
items=$(wc -l <"$work/list")
size=$(stat -c %s "$work/a.tar.zst")
tarz=$(best sh -c "tar -C '$root' --no-recursion -cf - -T '$work/list' | zstd -q -3 | sha256sum")
ver=$(best "$work/vigil" evidence verify "$work/a.tar.zst")
echo "| $root, triage profile ($items files, archive $((size / 1024)) KiB) | wall s (best of $runs) |"
echo "|---|---|"
echo "| vigil collect --profile triage (manifest, SHA-256 per file, signed) | $vig |"
echo "| tar \| zstd -3 \| sha256sum of the same files | $tarz |"
echo "| vigil evidence verify (every digest and the signature) | $ver |"
echo
echo "($(go env GOOS)/$(go env GOARCH), $(nproc) CPUs, 1-min load ${load} at start)"
