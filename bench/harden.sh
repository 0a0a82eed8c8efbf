#!/usr/bin/env bash
# The hardening baseline: `vigil harden` against Lynis (`lynis audit system
# --quick`), the hardening auditor sysadmins run today, on the same systems in
# one run: the live host, and the debootstrap Debian root (Vigil with --root;
# Lynis has no alternate-root option, so it runs chrooted in that root).
#
#   bench/harden.sh [ROOT]   default ROOT: scripts/debian-root.sh's root
#
# Lynis is not installed on the host: its Debian package is downloaded
# (apt-get download) and unpacked into a temporary directory, and runs from
# there as a standalone copy. Its log and report go to that directory.
#
# How Lynis sees the root: chroot ROOT inside `unshare --mount --pid --fork
# --net --mount-proc=ROOT/proc`, where ROOT is first bind-mounted read-only
# over itself, the unpacked Lynis is bound on ROOT/mnt and a temporary
# directory on ROOT/tmp (its log and report): nothing is written into the
# root, and every mount vanishes with the namespace.
#
# Prints a Markdown table for docs/benchmarks.md: wall and CPU seconds, the
# tests each ran, what each reported, and how many of Lynis's warnings and
# suggestions fall in the areas Vigil's baseline checks.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
root=${1:-$(scripts/debian-root.sh)} || exit 2
[ -d "$root/etc" ] || { echo "no root at '$root'" >&2; exit 2; }
command -v jq >/dev/null || apt-get install -y -qq jq >/dev/null 2>&1
command -v jq >/dev/null || { echo "needs jq" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
make -s build >/dev/null || exit 2
vigil=$PWD/bin/vigil

# Lynis, standalone: the script beside its include/, db/, plugins/ and
# default profile (the layout of its release tarball).
(cd "$tmp" && apt-get download lynis >/dev/null 2>&1) || { echo "apt-get download lynis failed" >&2; exit 2; }
dpkg-deb -x "$tmp"/lynis_*.deb "$tmp/deb"
lyn=$tmp/lynis
mkdir -p "$lyn" "$tmp/out-live" "$tmp/out-root"
chmod 1777 "$tmp/out-root" # it stands for the root's /tmp: sticky, as a /tmp is
cp "$tmp/deb/usr/sbin/lynis" "$lyn/"
cp -r "$tmp/deb/usr/share/lynis/include" "$tmp/deb/usr/share/lynis/db" "$lyn/"
cp -r "$tmp/deb/etc/lynis/." "$lyn/"
chown -R root:root "$lyn"
lynver=$(dpkg-deb -f "$tmp"/lynis_*.deb Version)

# timed NAME CMD...: runs CMD, keeps "wall cpu" in $tmp/NAME.t
timed() {
  local name=$1; shift
  /usr/bin/time -f "%e %U %S" -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
  awk 'END { printf "%s %.2f\n", $1, $2 + $3 }' "$tmp/$name.time" >"$tmp/$name.t"
}

# areas: Vigil's baseline areas and the Lynis test groups that check them.
#   ssh       harden.ssh.*        SSH-*
#   password  harden.password.*   AUTH-*
#   firewall  harden.firewall.*   FIRE-*
#   coredump  harden.coredump.*   KRNL-5820
#   kernel    harden.kernel.*     KRNL-6000
#   updates   harden.updates.*    PKGS-7420
#   network   harden.net.*        NETW-*
area_of_lynis() {
  case $1 in
    SSH-*) echo ssh ;; AUTH-*) echo password ;; FIRE-*) echo firewall ;;
    KRNL-5820) echo coredump ;; KRNL-6000) echo kernel ;; PKGS-7420) echo updates ;;
    NETW-*) echo network ;; *) echo other ;;
  esac
}

# lynis_counts REPORT: "tests warnings suggestions in-areas"
lynis_counts() {
  local r=$1 tests w s inarea=0 id
  tests=$(grep -m1 '^lynis_tests_done=' "$r" | cut -d= -f2)
  w=$(grep -c '^warning\[\]=' "$r")
  s=$(grep -c '^suggestion\[\]=' "$r")
  while IFS= read -r id; do
    [ "$(area_of_lynis "$id")" != other ] && inarea=$((inarea + 1))
  done < <(grep -E '^(warning|suggestion)\[\]=' "$r" | cut -d= -f2 | cut -d'|' -f1)
  echo "${tests:-NA} $w $s $inarea"
}

# vigil_counts JSON: "findings medium+"
vigil_counts() {
  jq -r '[(.findings | length), ([.findings[] | select(.severity == "medium" or .severity == "high" or .severity == "critical")] | length)] | @tsv' "$1"
}
rules=$(grep -c '^- id: harden\.' rules/checks/harden*.yaml 2>/dev/null | awk -F: '{ n += $NF } END { print n }')

echo "load before: $(settle)"
echo
# Live host
timed vigil-live nice -n 0 "$vigil" harden --no-store -f json --fail-on none
(cd "$lyn" && timed lynis-live ./lynis audit system --quick --no-colors \
  --logfile "$tmp/out-live/lynis.log" --report-file "$tmp/out-live/report.dat")

# The root (read-only, in a namespace that takes its mounts away with it)
timed vigil-root "$vigil" harden --root "$root" --no-store -f json --fail-on none
timed lynis-root unshare --mount --pid --fork --net "--mount-proc=$root/proc" sh -c '
  r=$1 l=$2 o=$3
  mount --bind "$r" "$r" && mount -o remount,bind,ro "$r" &&
  mount --bind "$l" "$r/mnt" && mount --bind "$o" "$r/tmp" && mount --rbind /dev "$r/dev" &&
  cd "$r/mnt" && exec chroot "$r" sh -c "cd /mnt && ./lynis audit system --quick --no-colors --logfile /tmp/lynis.log --report-file /tmp/report.dat"
' sh "$root" "$lyn" "$tmp/out-root"

echo "| system | tool | wall s | CPU s | tests or rules | reported | in Vigil's areas | medium+ |"
echo "|---|---|---|---|---|---|---|---|"
for sys in live root; do
  read -r vw vc <"$tmp/vigil-$sys.t"
  read -r lw lc <"$tmp/lynis-$sys.t"
  read -r vn vm < <(vigil_counts "$tmp/vigil-$sys.out")
  rep=$tmp/out-$sys/report.dat
  if [ -s "$rep" ]; then
    read -r lt lwn lsg lin < <(lynis_counts "$rep")
  else
    lt=NA lwn=NA lsg=NA lin=NA
  fi
  name=$([ $sys = live ] && echo "live host" || echo "Debian 12 root")
  echo "| $name | vigil harden | $vw | $vc | $rules rules | $vn findings | $vn | $vm |"
  echo "| $name | lynis $lynver --quick | $lw | $lc | $lt tests | $lwn warnings, $lsg suggestions | $lin | n/a |"
  echo "| $name | ratio (Lynis / Vigil) | $(ratio "$vw" "$lw") | $(ratio "$vc" "$lc") | | | | |"
done
echo
for sys in live root; do
  rep=$tmp/out-$sys/report.dat
  [ -s "$rep" ] || continue
  echo "Lynis on the $sys system, by Vigil's areas (warnings and suggestions):"
  grep -E '^(warning|suggestion)\[\]=' "$rep" | cut -d= -f2 | cut -d'|' -f1 |
    while read -r id; do area_of_lynis "$id"; done | sort | uniq -c | awk '{ printf "  %s %s\n", $2, $1 }'
  echo "Vigil on the $sys system, by area:"
  jq -r '.findings[].rule_id | split(".")[1]' "$tmp/vigil-$sys.out" | sort | uniq -c | awk '{ printf "  %s %s\n", $2, $1 }'
done
echo
echo "load after: $(cut -d' ' -f1 /proc/loadavg)"
