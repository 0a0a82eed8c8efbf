#!/usr/bin/env bash
# Run every benchmark and print its Markdown tables; docs/benchmarks.md
# holds the numbers of the last run. As root, from anywhere:
#
#   bench/run.sh
#
#   speed.sh     the speed goals: first scan vs debsums, rescan, --root
#   scan.sh      vigil vs chkrootkit, lynis, rkhunter: live host + Debian root
#   incident.sh  which tool finds which planted trick; false alarms; times
#   store.sh     store save/load/diff of 10,000 findings
#   gobench.sh   every Go benchmark under internal/
#   harden.sh    vigil harden vs Lynis: live host + Debian root
#   files.sh     the file walk's hashing vs sha256sum
#   yara.sh      vigil's YARA walk vs yara -r -p 2
#   logs.sh      vigil logs vs grep -c and fail2ban-regex on 1M auth lines
#   vuln.sh      vulnerability data import and matching
#   collect.sh   vigil collect --profile triage vs tar | zstd | sha256sum
#   image.sh     vigil image vs dd | sha256sum
#
# Each script waits for the 1-minute load average to fall below
# BENCH_MAX_LOAD (default 1.2) before it times anything. Raw outputs are
# under bench/out/.
set -uo pipefail
cd "$(dirname "$0")/.."
rc=0
for s in speed scan incident store gobench harden files yara logs vuln collect image; do
  echo "## bench/$s.sh"
  echo
  bash "bench/$s.sh" || rc=$?
  echo
done
exit $rc
