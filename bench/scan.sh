#!/usr/bin/env bash
# Compare `vigil scan` with its peers on this machine and on a Debian root,
# whole process, in one run; print a Markdown table of times, ratios and
# what each reported. Peers come from Debian: chkrootkit, rkhunter, lynis.
#
#   bench/scan.sh [ROOT]   ROOT defaults to scripts/debian-root.sh's cache
#
# Needs root (the peers do). Results go to stdout and bench/out/.
set -uo pipefail
cd "$(dirname "$0")/.."
out=bench/out
mkdir -p "$out"
root=${1:-$(scripts/debian-root.sh)}
make -s build >/dev/null || exit 2
vigil=$PWD/bin/vigil

# time_cmd NAME CMD... : wall seconds and peak RSS (KiB) into $out/NAME.time
time_cmd() {
  local name=$1; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.err"
  read -r secs rss <"$out/$name.time" 2>/dev/null || { secs=NA; rss=NA; }
  echo "$secs $rss"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.1fx", b/a; else print "n/a" }'; }

command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null 2>&1

echo "| run | tool | seconds | peak RSS MiB | vs vigil | reported |"
echo "|---|---|---|---|---|---|"

read -r vs vr <<<"$(time_cmd vigil-live "$vigil" scan --format json --fail-on none)"
vcount=$(grep -c '"rule_id"' "$out/vigil-live.out" || true)
vhigh=$(grep -cE '"severity": "(high|critical)"' "$out/vigil-live.out" || true)
echo "| live host | vigil scan | $vs | $((vr/1024)) | 1.0x | $vcount findings ($vhigh high/critical), $(grep -c '"kind"' "$out/vigil-live.out") gaps listed |"

if command -v chkrootkit >/dev/null; then
  read -r s r <<<"$(time_cmd chkrootkit-live chkrootkit -q)"
  echo "| live host | chkrootkit -q | $s | $((r/1024)) | $(ratio "$vs" "$s") | $(grep -c . "$out/chkrootkit-live.out") lines, $(grep -ci infected "$out/chkrootkit-live.out") INFECTED |"
fi
if command -v lynis >/dev/null; then
  read -r s r <<<"$(time_cmd lynis-live lynis audit system --quick --no-colors)"
  echo "| live host | lynis audit system --quick | $s | $((r/1024)) | $(ratio "$vs" "$s") | $(grep -c 'WARNING' "$out/lynis-live.out") warnings, $(grep -c 'SUGGESTION' "$out/lynis-live.out") suggestions |"
fi
if command -v rkhunter >/dev/null; then
  read -r s r <<<"$(time_cmd rkhunter-live rkhunter --check --sk --nocolors --rwo)"
  echo "| live host | rkhunter --check --sk --rwo | $s | $((r/1024)) | $(ratio "$vs" "$s") | $(grep -c 'Warning' "$out/rkhunter-live.out") warnings |"
fi

if [ -n "$root" ] && [ -d "$root" ]; then
  read -r vs vr <<<"$(time_cmd vigil-root "$vigil" scan --root "$root" --format json --fail-on none)"
  vcount=$(grep -c '"rule_id"' "$out/vigil-root.out" || true)
  vmed=$(grep -cE '"severity": "(medium|high|critical)"' "$out/vigil-root.out" || true)
  echo "| debootstrap root | vigil scan --root | $vs | $((vr/1024)) | 1.0x | $vcount findings ($vmed medium+) |"
  if command -v chkrootkit >/dev/null; then
    read -r s r <<<"$(time_cmd chkrootkit-root chkrootkit -q -r "$root")"
    echo "| debootstrap root | chkrootkit -q -r ROOT | $s | $((r/1024)) | $(ratio "$vs" "$s") | $(grep -c . "$out/chkrootkit-root.out") lines, $(grep -ci infected "$out/chkrootkit-root.out") INFECTED |"
  fi
  echo "| debootstrap root | rkhunter, lynis | - | - | - | no option to scan a mounted root |"
fi
