#!/usr/bin/env bash
# Compare `vigil scan` with its peers on this machine and on a Debian root,
# whole process, in one run; print a Markdown table of times, ratios and
# what each reported. Peers come from Debian: chkrootkit, rkhunter, lynis.
#
#   bench/scan.sh [ROOT]   ROOT defaults to scripts/debian-root.sh's cache
#
# Needs root (the peers do). Results go to stdout and bench/out/.
# ROOT is never modified: vigil and chkrootkit see it as a read-only bind
# mount in a private mount namespace (chkrootkit -r writes ROOT/proc/syslogk
# otherwise). rkhunter and lynis cannot scan a mounted root; bench/incident.sh
# runs them chrooted into copies.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
out=bench/out
mkdir -p "$out"
root=${1:-$(scripts/debian-root.sh)}
make -s build >/dev/null || exit 2
vigil=$PWD/bin/vigil
for t in /usr/bin/time:time jq:jq unshare:util-linux; do
  command -v "${t%%:*}" >/dev/null || apt-get install -y -qq "${t#*:}" >/dev/null 2>&1
done

# time_cmd NAME CMD... : "seconds peak-RSS-KiB load" (RSS of the largest
# single process, for the shell-script peers; load: 1-min average at start)
time_cmd() {
  local name=$1 secs rss; shift
  settle >"$out/$name.load"
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.err"
  # time(1) puts "Command exited with non-zero status N" first: last line
  read -r secs rss < <(tail -n 1 "$out/$name.time" 2>/dev/null) || { secs=NA; rss=NA; }
  case $secs in [0-9]*) ;; *) secs=NA; rss=NA ;; esac
  echo "$secs $rss $(cat "$out/$name.load")"
}
mib() { case $1 in [0-9]*) echo $(($1 / 1024)) ;; *) echo NA ;; esac; }
# ROC=(prefix): run the rest while $root is a read-only bind mount of itself
ROC=(unshare --mount sh -c 'r=$1; shift; mount --bind "$r" "$r" && mount -o remount,bind,ro "$r" && exec "$@"' sh "$root")
# vigil_counts FILE: "N findings (H high/critical, M medium+), G gaps"
vigil_counts() {
  jq -r '[.findings[].severity] as $s
    | "\($s | length) findings (\([$s[] | select(. == "high" or . == "critical")] | length) high/critical, \([$s[] | select(. == "medium" or . == "high" or . == "critical")] | length) medium+), \(.gaps | length) gaps listed"' "$1" 2>/dev/null || echo "no JSON output"
}
chk_counts() { echo "$(grep -c 'WARNING' "$1") warnings, $(grep -c 'INFECTED' "$1") INFECTED, $(grep -c . "$1") lines"; }

echo "| run | tool | seconds | load at start | peak RSS MiB | time vs vigil | reported |"
echo "|---|---|---|---|---|---|---|"

read -r vs vr l <<<"$(time_cmd vigil-live "$vigil" scan --format json --fail-on none)"
echo "| live host | vigil scan | $vs | $l | $(mib "$vr") | 1.0x | $(vigil_counts "$out/vigil-live.out") |"

if command -v chkrootkit >/dev/null; then
  read -r s r l <<<"$(time_cmd chkrootkit-live chkrootkit -q)"
  echo "| live host | chkrootkit -q | $s | $l | $(mib "$r") | $(ratio "$vs" "$s") | $(chk_counts "$out/chkrootkit-live.out") |"
fi
if command -v lynis >/dev/null; then
  read -r s r l <<<"$(time_cmd lynis-live lynis audit system --quick --no-colors --report-file "$PWD/$out/lynis-live.dat")"
  echo "| live host | lynis audit system --quick | $s | $l | $(mib "$r") | $(ratio "$vs" "$s") | $(grep -c '^warning\[\]' "$out/lynis-live.dat" 2>/dev/null) warnings, $(grep -c '^suggestion\[\]' "$out/lynis-live.dat" 2>/dev/null) suggestions |"
fi
if command -v rkhunter >/dev/null; then
  read -r s r l <<<"$(time_cmd rkhunter-live rkhunter --check --sk --nocolors --rwo)"
  echo "| live host | rkhunter --check --sk --rwo | $s | $l | $(mib "$r") | $(ratio "$vs" "$s") | $(grep -c '^Warning:' "$out/rkhunter-live.out") warnings |"
fi

if [ -n "$root" ] && [ -d "$root" ]; then
  read -r vs vr l <<<"$(time_cmd vigil-root "${ROC[@]}" "$vigil" scan --root "$root" --format json --fail-on none)"
  echo "| debootstrap root | vigil scan --root | $vs | $l | $(mib "$vr") | 1.0x | $(vigil_counts "$out/vigil-root.out") |"
  if command -v chkrootkit >/dev/null; then
    read -r s r l <<<"$(time_cmd chkrootkit-root "${ROC[@]}" chkrootkit -q -r "$root")"
    echo "| debootstrap root | chkrootkit -q -r ROOT | $s | $l | $(mib "$r") | $(ratio "$vs" "$s") | $(chk_counts "$out/chkrootkit-root.out") |"
  fi
  echo "| debootstrap root | rkhunter, lynis | - | - | - | - | no option to scan a mounted root: see bench/incident.sh (chroot) |"
fi
