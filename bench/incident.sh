#!/usr/bin/env bash
# Detection benchmark: lay the incident fixture (internal/e2e/testdata/
# incident.txtar, the planted tricks that internal/e2e/incident_test.go
# expects) over a real Debian 12 root, scan it with vigil and its peers,
# and print, for each planted trick, which tool pointed at it; then the
# same tools on the clean root (false alarms) and the times.
#
#   bench/incident.sh [ROOT]   ROOT: the debootstrap root (default: what
#                              scripts/debian-root.sh prints); never modified
#   BENCH_PEERS="chkrootkit"   run only these peers (default: chkrootkit
#                              rkhunter lynis; rkhunter takes minutes)
#
# Needs root, debootstrap's root, chkrootkit on the host, network access to
# the Debian mirror once (to install rkhunter and lynis inside a copy), and
# unshare(1). Raw outputs go to bench/out/incident/.
#
# Roots, all under ROOT's parent (/var/cache/vigil-e2e):
#   bookworm-peers   ROOT + rkhunter + lynis installed with apt in a chroot
#                    (built once; bookworm-peers.complete marks it)
#   bench-clean      a fresh copy of bookworm-peers, per run
#   bench-incident   a fresh copy of bookworm-peers + the fixture, per run
#
# How each tool sees a root:
#   vigil scan --root R, chkrootkit -r R: on a read-only bind mount of R
#     in a private mount namespace (chkrootkit -r writes R/proc/syslogk
#     when R is writable, then reports it as the Syslogk rootkit);
#   rkhunter, lynis (no alternate-root option): chroot R inside
#     `unshare --mount --pid --fork --net --mount-proc=R/proc`, with
#     `mount --rbind /dev R/dev` done inside that namespace: a fresh /proc
#     showing only the chroot's own processes, no network but loopback, and
#     both mounts vanish when the command exits (nothing to unmount, nothing
#     leaks into the host's mount table). rkhunter's file-properties
#     baseline (--propupd) is taken in each copy before the fixture is laid
#     over it: the best case for rkhunter, a baseline from before the
#     compromise.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
out=bench/out/incident
mkdir -p "$out"
base=${1:-$(scripts/debian-root.sh)} || exit 2
[ -d "$base/etc" ] || { echo "no Debian root at '$base'" >&2; exit 2; }
cache=$(dirname "$base")
template=$cache/bookworm-peers
fixture=internal/e2e/testdata/incident.txtar
make -s build >/dev/null || exit 2
vigil=$PWD/bin/vigil
go build -o "$out/overlay" ./bench/cmd/overlay || exit 2
for t in /usr/bin/time:time jq:jq unshare:util-linux; do
  command -v "${t%%:*}" >/dev/null || apt-get install -y -qq "${t#*:}" >/dev/null 2>&1
done

# nsc R: NSC=(a command prefix) that runs the rest chrooted in R, in new
# mount, pid and network namespaces, with a fresh /proc and the host's /dev.
nsc() {
  NSC=(unshare --mount --pid --fork --net "--mount-proc=$1/proc"
       sh -c 'r=$1; shift; mount --rbind /dev "$r/dev" && exec chroot "$r" "$@"' sh "$1")
}
# roc R: ROC=(a command prefix) that runs the rest while R is a read-only
# bind mount of itself, in a private mount namespace.
roc() {
  ROC=(unshare --mount sh -c 'r=$1; shift; mount --bind "$r" "$r" && mount -o remount,bind,ro "$r" && exec "$@"' sh "$1")
}
# time_cmd NAME CMD...: "seconds peak-RSS-KiB load" (RSS of the largest
# single process; load: the 1-minute average when it started)
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

# The template: the debootstrap root with rkhunter and lynis from the
# Debian mirror (--no-install-recommends; services kept from starting).
if [ ! -f "$template.complete" ]; then
  echo "building $template (apt-get install rkhunter lynis in a chroot)..." >&2
  rm -rf "$template" && cp -a "$base" "$template" && rm -f "$template/.vigil-complete" || exit 2
  printf '#!/bin/sh\nexit 101\n' >"$template/usr/sbin/policy-rc.d" && chmod 755 "$template/usr/sbin/policy-rc.d"
  unshare --mount --pid --fork --mount-proc="$template/proc" \
    sh -c 'r=$1; mount --rbind /dev "$r/dev" && exec chroot "$r" env DEBIAN_FRONTEND=noninteractive sh -c \
      "apt-get update -qq && apt-get install -y -q --no-install-recommends rkhunter lynis && apt-get clean"' \
    sh "$template" >"$out/template-install.log" 2>&1
  rc=$?
  rm -f "$template/usr/sbin/policy-rc.d"
  if [ $rc -ne 0 ]; then
    echo "installing rkhunter/lynis in $template failed; see $out/template-install.log" >&2
    rm -rf "$template"; exit 2
  fi
  touch "$template.complete"
fi
# BENCH_PEERS: which peers to run (default all three).
peers=" ${BENCH_PEERS-chkrootkit rkhunter lynis} "
have_rkh=0; [[ $peers == *" rkhunter "* ]] && [ -x "$template/usr/bin/rkhunter" ] && have_rkh=1
have_lyn=0; [[ $peers == *" lynis "* ]] && [ -x "$template/usr/sbin/lynis" ] && have_lyn=1
have_chk=0; [[ $peers == *" chkrootkit "* ]] && command -v chkrootkit >/dev/null && have_chk=1

# Build the two roots.
clean=$cache/bench-clean
inc=$cache/bench-incident
for r in "$clean" "$inc"; do
  rm -rf "$r" && cp -a "$template" "$r" || exit 2
  nsc "$r"
  [ $have_rkh = 1 ] && "${NSC[@]}" rkhunter --propupd --nocolors >"$out/propupd-$(basename "$r").log" 2>&1
done
# The fixture's os-release and one-package dpkg status would break the
# root; its account files are merged (the root keeps its own accounts).
"$out/overlay" -skip etc/os-release,var/lib/dpkg/status -merge etc/passwd,etc/shadow,etc/group \
  "$fixture" "$inc" 2>"$out/overlay.log" || { cat "$out/overlay.log" >&2; exit 2; }

declare -A T R L
# scan NAME ROOT: every tool on one root; alerts normalised into NAME-TOOL.alerts
scan() {
  local n=$1 r=$2 s m l
  nsc "$r"; roc "$r"
  read -r s m l <<<"$(time_cmd "vigil-$n" "${ROC[@]}" "$vigil" scan --root "$r" --format json --fail-on none --no-store)"
  T[vigil-$n]=$s; R[vigil-$n]=$m; L[vigil-$n]=$l
  jq -r '.findings[] | select(.severity == "medium" or .severity == "high" or .severity == "critical")
         | "\(.severity) \(.rule_id) \(.evidence.path) \(.subject)"' "$out/vigil-$n.out" >"$out/$n-vigil.alerts"
  if [ $have_chk = 1 ]; then
    read -r s m l <<<"$(time_cmd "chkrootkit-$n" "${ROC[@]}" chkrootkit -q -r "$r")"
    T[chkrootkit-$n]=$s; R[chkrootkit-$n]=$m; L[chkrootkit-$n]=$l
    # chkrootkit prints paths as R//x and even R/R/x: drop R, squeeze slashes
    sed -e "s#$r##g" -e 's#//*#/#g' -e 's/^[[:space:]]*//' "$out/chkrootkit-$n.out" | grep . >"$out/$n-chkrootkit.alerts"
  fi
  if [ $have_rkh = 1 ]; then
    read -r s m l <<<"$(time_cmd "rkhunter-$n" "${NSC[@]}" rkhunter --check --sk --nocolors --rwo)"
    T[rkhunter-$n]=$s; R[rkhunter-$n]=$m; L[rkhunter-$n]=$l
    cp "$r/var/log/rkhunter.log" "$out/rkhunter-$n.log" 2>/dev/null
    sed -e 's/^[[:space:]]*//' "$out/rkhunter-$n.out" | grep . >"$out/$n-rkhunter.alerts"
  fi
  if [ $have_lyn = 1 ]; then
    read -r s m l <<<"$(time_cmd "lynis-$n" "${NSC[@]}" lynis audit system --quick --no-colors)"
    T[lynis-$n]=$s; R[lynis-$n]=$m; L[lynis-$n]=$l
    cp "$r/var/log/lynis-report.dat" "$out/lynis-$n.dat" 2>/dev/null
    cp "$r/var/log/lynis.log" "$out/lynis-$n.log" 2>/dev/null
    grep -E '^(warning|suggestion|details)\[\]=' "$out/lynis-$n.dat" >"$out/$n-lynis.alerts"
  fi
}
scan clean "$clean"
scan incident "$inc"

tools="vigil"
[ $have_chk = 1 ] && tools="$tools chkrootkit"
[ $have_rkh = 1 ] && tools="$tools rkhunter"
[ $have_lyn = 1 ] && tools="$tools lynis"
# A peer's alert on the incident root counts only if the same line is not
# also in its output on the clean root (generic hardening advice, host
# artefacts and broken checks are thereby left out).
for t in $tools; do
  touch "$out/clean-$t.alerts" "$out/incident-$t.alerts"
  grep -vxF -f "$out/clean-$t.alerts" "$out/incident-$t.alerts" >"$out/new-$t.alerts"
done

# The planted tricks: vigil's expectation in incident_test.go (path, and
# account for the two /etc/passwd ones) | what counts for a peer: an
# extended regex (case-insensitive) matched against its new alert lines:
# the path, or words that name the same thing.
tricks='UID-0 account sysadm|/etc/passwd|sysadm|sysadm|root equivalent|uid[ =:]*0|uid zero|superuser
sysadm has no password|/etc/shadow|sysadm|passwordless|without (a )?password|empty password field|no password set
www-data given a login shell|/etc/passwd|www-data|www-data
sudoers.d NOPASSWD ALL|/etc/sudoers.d/www||sudoers|nopasswd
pam_permit in pam.d/sshd|/etc/pam.d/sshd||pam_permit|pam\.d/sshd
cron.d download-exec|/etc/cron.d/php-sessionclean2||php-sessionclean2|cron\.d
www-data crontab reverse shell|/var/spool/cron/crontabs/www-data||crontabs|/dev/tcp
systemd unit kworker.service|/etc/systemd/system/kworker.service||kworker
ld.so.preload|/etc/ld.so.preload||ld\.so\.preload|libsys\.so|preload
alias sudo in root .bashrc|/root/.bashrc||bashrc|alias
profile.d download-exec|/etc/profile.d/z-update.sh||profile\.d|z-update
apt Pre-Invoke hook|/etc/apt/apt.conf.d/99update||99update|apt\.conf
udev RUN+= reverse shell|/etc/udev/rules.d/75-net.rules||75-net|udev
forced-command root ssh key|/root/.ssh/authorized_keys||authorized_keys
sshd_config (keys in /tmp, empty passwords)|/etc/ssh/sshd_config||sshd_config|authorizedkeysfile|permitemptypasswords|emptypassword|permitrootlogin|root (access|login)
webshell in uploads|/var/www/html/wp-content/uploads/2024/03/thumb.php||thumb\.php|wp-content|webshell
.htaccess runs .jpg as PHP|/var/www/html/wp-content/uploads/.htaccess||htaccess
wtmp -> /dev/null|/var/log/wtmp||wtmp
bash_history -> /dev/null|/root/.bash_history||bash_history|history
frpc tunnel config|/tmp/.x/frpc.ini||frpc|/tmp/\.x
miner config|/var/tmp/.x/config.json||config\.json|/var/tmp/\.x|xmr|miner|stratum
unowned setuid sudo_helper|/usr/bin/sudo_helper||sudo_helper|setuid|suid'

judged=$out/judged.txt
: >"$judged"
declare -A hits
hdr="| planted trick |"; sep="|---|"
for t in $tools; do hdr="$hdr $t |"; sep="$sep---|"; hits[$t]=0; done
echo "$hdr"; echo "$sep"
n=0
while IFS='|' read -r label path subj re; do
  n=$((n + 1))
  row="| $label |"
  for t in $tools; do
    if [ "$t" = vigil ]; then
      sev=$(jq -r --arg p "$path" --arg s "$subj" '[.findings[]
              | select(.evidence.path == $p and (.severity == "medium" or .severity == "high" or .severity == "critical")
                       and ($s == "" or (.subject | contains($s)) or ((.evidence.user // "") | contains($s))))
              | .severity] | if any(. == "critical") then "critical" elif any(. == "high") then "high"
                             elif length > 0 then "medium" else "" end' "$out/vigil-incident.out" 2>/dev/null)
      ev=$(jq -r --arg p "$path" '.findings[] | select(.evidence.path == $p) | "\(.severity) \(.rule_id) \(.subject)"' \
             "$out/vigil-incident.out" 2>/dev/null)
      [ -n "$sev" ] && cell="yes ($sev)" || cell="no"
    else
      # the two /etc/passwd tricks and the /etc/shadow one are told
      # apart by what is said, not by the file named
      if [ -n "$subj" ]; then pre=$re; else pre="$path|$re"; fi
      ev=$(grep -iE -- "$pre" "$out/new-$t.alerts")
      [ -n "$ev" ] && cell="yes" || cell="no"
    fi
    [ "${cell%% *}" = yes ] && hits[$t]=$((hits[$t] + 1))
    row="$row $cell |"
    { echo "== $label | $t: $cell"; [ -n "$ev" ] && echo "$ev" | sed 's/^/   /'; } >>"$judged"
  done
  echo "$row"
done <<<"$tricks"
row="| **pointed at, of $n** |"
for t in $tools; do row="$row **${hits[$t]}** |"; done
echo "$row"

# Alerts the other way round: what each tool raised on the clean root.
fa() {
  case $1 in
    vigil) grep -c . "$out/clean-vigil.alerts" ;;
    chkrootkit) grep -cE 'WARNING|INFECTED|[Ss]uspicious' "$out/clean-chkrootkit.alerts" ;;
    rkhunter) grep -c '^Warning:' "$out/clean-rkhunter.alerts" ;;
    lynis) echo "$(grep -c '^warning' "$out/clean-lynis.alerts") warnings, $(grep -c '^suggestion' "$out/clean-lynis.alerts") suggestions" ;;
  esac
}
ia() {
  case $1 in
    vigil) echo "$(grep -c . "$out/incident-vigil.alerts") findings ≥ medium" ;;
    chkrootkit) echo "$(grep -cE 'WARNING|INFECTED|[Ss]uspicious' "$out/incident-chkrootkit.alerts") warnings" ;;
    rkhunter) echo "$(grep -c '^Warning:' "$out/incident-rkhunter.alerts") warnings" ;;
    lynis) echo "$(grep -c '^warning' "$out/incident-lynis.alerts") warnings, $(grep -c '^suggestion' "$out/incident-lynis.alerts") suggestions" ;;
  esac
}
echo
echo "| tool | how it was run | clean root: s | clean: false alarms | incident root: s | incident: raised | peak RSS MiB | load at start |"
echo "|---|---|---|---|---|---|---|---|"
for t in $tools; do
  case $t in
    vigil) how='`vigil scan --root R --format json --no-store` (R read-only)' ;;
    chkrootkit) how='`chkrootkit -q -r R` (R read-only)' ;;
    rkhunter) how='`rkhunter --check --sk --rwo` in chroot' ;;
    lynis) how='`lynis audit system --quick` in chroot' ;;
  esac
  echo "| $t | $how | ${T[$t-clean]:-NA} | $(fa "$t") | ${T[$t-incident]:-NA} | $(ia "$t") | $(mib "${R[$t-incident]:-NA}") | ${L[$t-clean]:-NA}, ${L[$t-incident]:-NA} |"
done
echo
echo "(vigil: findings at medium or above; chkrootkit: WARNING/INFECTED/suspicious lines of -q; rkhunter: Warning lines of --rwo;"
echo " lynis: warning[]/suggestion[] of its report. Evidence per trick and tool: $judged. Peak RSS: the largest single process.)"
