#!/usr/bin/env bash
# YARA speed: Vigil's file walk with the YARA matcher (bench/cmd/yarawalk:
# rules compiled once, each file read once and matched, 2 workers; with
# and without the prefilter that passes over files no rule can match)
# against Debian's yara command line (yara -r -N -p 2) with the same rule
# file (Vigil's own rules, rules/yara/*.yar concatenated) on the same trees,
# in one run, each timed BENCH_RUNS times (best wall and its CPU kept).
#
#   bench/yara.sh [TREE...]   default: the WordPress tree and /usr of the
#                             debootstrap roots (scripts/*-root.sh)
#
# Needs yara (apt install yara). Prints a Markdown table for
# docs/benchmarks.md; writes nothing but its temporary rule file.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
command -v yara >/dev/null || { echo "needs yara (apt install yara)" >&2; exit 2; }
trees=("$@")
if [ ${#trees[@]} -eq 0 ]; then
  trees=(/var/cache/vigil-e2e/wordpress/usr/share/wordpress /var/cache/vigil-e2e/bookworm/usr)
fi
runs=${BENCH_RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat rules/yara/*.yar > "$tmp/rules.yar"
go build -o "$tmp/yarawalk" ./bench/cmd/yarawalk

# best CMD...: the best wall time of $runs runs, with that run's user+sys.
best() {
  local b="" c="" w u
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S" -o "$tmp/t" "$@" >/dev/null 2>&1 || true
    read -r w u s < "$tmp/t"
    if [ -z "$b" ] || awk -v a="$w" -v b="$b" 'BEGIN { exit !(a < b) }'; then
      b=$w; c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u+s }')
    fi
  done
  echo "$b $c"
}

echo "load before: $(settle)"
echo
echo "| tree | files | MiB | vigil wall s (CPU s) | without prefilter wall s (CPU s) | yara -r -p 2 wall s (CPU s) | wall ratio | CPU ratio |"
echo "|---|---|---|---|---|---|---|---|"
for t in "${trees[@]}"; do
  [ -d "$t" ] || { echo "skip $t (missing)" >&2; continue; }
  n=$(find "$t" -type f | wc -l)
  mib=$(du -sm "$t" | cut -f1)
  read -r vw vc < <(best "$tmp/yarawalk" -rules "$tmp/rules.yar" -workers 2 "$t")
  read -r nw nc < <(best "$tmp/yarawalk" -no-prefilter -rules "$tmp/rules.yar" -workers 2 "$t")
  read -r yw yc < <(best yara -r -N -w -p 2 "$tmp/rules.yar" "$t")
  echo "| $t | $n | $mib | $vw ($vc) | $nw ($nc) | $yw ($yc) | $(ratio "$vw" "$yw") | $(ratio "$vc" "$yc") |"
done
echo
echo "load after: $(cut -d' ' -f1 /proc/loadavg)"
