#!/usr/bin/env bash
# The speed goals of `vigil scan`, as ratios and times measured in one run on
# this machine (docs/benchmarks.md, "Speed"):
#
#   (a) a first full live scan (empty store: every package file hashed)
#       against `debsums -s` (digests only) — Vigil keeps a ~10x lead;
#   (b) a rescan of the live host with nothing changed: under 2 s;
#   (c) a --root scan of the Debian server root: under 1 s (first scan of
#       the root and its rescan, each with its own store entry).
#
#   bench/speed.sh [ROOT]   ROOT defaults to scripts/debian-root.sh's cache
#
# The floor of (b): one walk of the whole filesystem that stats every file,
# `find / -xdev -perm /6000` (a live scan's setuid check cannot do less; the
# scan's one walk, `vigil scan --debug`'s "shared walk" line, serves every
# check that walks). BENCH_SKIP_DEBSUMS=1 leaves out debsums (26 minutes on
# a loaded machine) and with it the (a) ratio.
#
# Needs root (debsums and a live scan read every package file). Installs
# debsums, time and jq when missing. Each timing waits for the 1-minute load
# average to fall below BENCH_MAX_LOAD (default 1.2, at most BENCH_SETTLE_MAX
# s) and prints it. Wall seconds and CPU seconds (user + sys) of whole
# processes under /usr/bin/time; raw outputs under bench/out/speed/.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
out=bench/out/speed
mkdir -p "$out"
root=${1:-$(scripts/debian-root.sh 2>/dev/null)}
make -s build >/dev/null || exit 2
vigil=$PWD/bin/vigil
for t in /usr/bin/time:time jq:jq debsums:debsums; do
  command -v "${t%%:*}" >/dev/null || apt-get install -y -qq "${t#*:}" >/dev/null 2>&1
done
store=$(mktemp -d /tmp/vigil-speed.XXXXXX)
trap 'rm -rf "$store"' EXIT

# run NAME CMD... : "wall cpu load" (cpu = user + sys seconds)
run() {
  local name=$1 l; shift
  l=$(settle)
  /usr/bin/time -f "%e %U %S" -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.err"
  awk -v l="$l" 'END { if ($1 ~ /^[0-9]/) printf "%s %.2f %s\n", $1, $2 + $3, l; else print "NA NA " l }' "$out/$name.time"
}
goal() { awk -v s="$1" -v g="$2" 'BEGIN { if (s == "NA" || s+0 == 0) print "n/a"; else if (s+0 < g+0) print "met (< " g " s)"; else print "missed (>= " g " s)" }'; }
# integrity CHECK-TIME of a JSON result, and files hashed / taken from the cache
check_s() { jq -r --arg c "${2:-integrity}" '[.summary.checks[] | select(.name == $c) | .duration_ns / 1e9][0] // "NA" | if type == "number" then (. * 100 | round / 100) else . end' "$1" 2>/dev/null || echo NA; }
scan=("$vigil" scan --format json --fail-on none --progress never)

echo "| goal | run | wall s | CPU s | integrity check s | load at start | result |"
echo "|---|---|---|---|---|---|---|"
if [ "${BENCH_SKIP_DEBSUMS:-0}" = 1 ]; then ds=NA dc=NA dl=-; else read -r ds dc dl <<<"$(run debsums debsums -s)"; fi
read -r fs fc fl <<<"$(run live-first "${scan[@]}" --store "$store/live.db")"
if [ "$ds" = NA ]; then echo "| (a) | \`debsums -s\` | - | - | - | - | skipped (BENCH_SKIP_DEBSUMS=1) |"
else echo "| (a) | \`debsums -s\` | $ds | $dc | - | $dl | $(grep -c . "$out/debsums.err") lines on stderr |"; fi
echo "| (a) | first live scan, empty store (\`vigil scan --store NEW\`) | $fs | $fc | $(check_s "$out/live-first.out") | $fl | $(ratio "$fs" "$ds") faster than debsums |"
read -r rs rc rl <<<"$(run live-rescan "${scan[@]}" --store "$store/live.db" --debug="$out/live-rescan.debug")"
echo "| (b) | live rescan, nothing changed | $rs | $rc | $(check_s "$out/live-rescan.out") | $rl | $(goal "$rs" 2); one walk $(sed -n 's/.*shared walk: .*, //p' "$out/live-rescan.debug" | head -1) |"
read -r xs xc xl <<<"$(run find-floor find / -xdev -perm /6000)"
echo "| (b) floor | \`find / -xdev -perm /6000\` | $xs | $xc | - | $xl | one stat-ing walk of the whole filesystem |"
read -r us uc ul <<<"$(run live-full "${scan[@]}" --store "$store/live.db" --full)"
echo "| - | live rescan with \`--full\` | $us | $uc | $(check_s "$out/live-full.out") | $ul | $(ratio "$rs" "$us") the time of the cached rescan |"
if [ -n "$root" ] && [ -d "$root" ]; then
  read -r as ac al <<<"$(run root-first "${scan[@]}" --root "$root" --store "$store/root.db")"
  echo "| (c) | \`--root\` Debian root, first scan | $as | $ac | $(check_s "$out/root-first.out") | $al | $(goal "$as" 1) |"
  read -r bs bc bl <<<"$(run root-rescan "${scan[@]}" --root "$root" --store "$store/root.db")"
  echo "| (c) | \`--root\` Debian root, rescan | $bs | $bc | $(check_s "$out/root-rescan.out") | $bl | $(goal "$bs" 1) |"
  read -r ns nc nl <<<"$(run root-nostore "${scan[@]}" --root "$root" --no-store)"
  echo "| (c) | \`--root\` Debian root, \`--no-store\` | $ns | $nc | $(check_s "$out/root-nostore.out") | $nl | $(goal "$ns" 1) |"
fi
echo
echo "Slowest checks of the live rescan (checks run concurrently):"
echo
jq -r '.summary.checks | sort_by(-.duration_ns) | .[:6][] | "- `\(.name)` \(.duration_ns / 1e9 * 100 | round / 100) s"' "$out/live-rescan.out" 2>/dev/null
