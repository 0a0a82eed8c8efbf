#!/usr/bin/env bash
# Log parsing speed on a realistic auth.log of a brute-forced server
# (internal/logs/authgen: 1M lines by default, ~110 MB), as times and ratios
# measured in one run on this machine:
#
#   grep -c sshd            the floor: reading the file and finding lines
#   vigil parse             internal/logs' auth parser alone (bench/cmd/logparse):
#                           every line framed, timed, classified into a model.Event,
#                           the file cut into chunks parsed on every core
#   vigil logs              parse + every detection (below), fail2ban-regex
#                           (Python) and sshguard's parser (C), the peers
#
#   bench/logs.sh [LINES]      BENCH_RUNS=N: best of N runs each (3;
#                              fail2ban-regex runs once: ~50 s)
#
# Extending it (vigil logs with every detection on, fail2ban-regex): add a
# `measure NAME CMD...` line in the "peers" section below; every row is
# printed with its wall and CPU seconds, lines per CPU second and its ratio
# to grep. Each timing waits for the 1-minute load average to fall below
# BENCH_MAX_LOAD (bench/lib.sh). Outputs under bench/out/logs/.
set -uo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
out=bench/out/logs
mkdir -p "$out"
lines=${1:-1000000}
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null 2>&1
go build -o "$out/authlog" ./bench/cmd/authlog || exit 2
go build -o "$out/logparse" ./bench/cmd/logparse || exit 2
log=$out/auth-$lines.log
[ -s "$log" ] || "$out/authlog" -lines "$lines" >"$log" || exit 2
cat "$log" >/dev/null # in the page cache for every contender

rows=()
runs=${BENCH_RUNS:-3}
# measure NAME CMD... : one row "NAME wall cpu load" (cpu = user + sys
# seconds): the best wall time of BENCH_RUNS runs (3; the host's speed
# varies from one minute to the next), with that run's CPU time.
measure() {
  local name=$1 l best="" row r; shift
  l=$(settle)
  for r in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S" -o "$out/$name.time" "$@" >"$out/$name.out" 2>"$out/$name.err"
    row=$(awk -v n="$name" -v l="$l" 'END { if ($1 ~ /^[0-9]/) printf "%s %s %.2f %s\n", n, $1, $2 + $3, l; else print n " NA NA " l }' "$out/$name.time")
    if [ -z "$best" ] || awk -v a="$(echo "$row" | cut -d' ' -f2)" -v b="$(echo "$best" | cut -d' ' -f2)" 'BEGIN { exit !(a + 0 < b + 0) }'; then
      best=$row
    fi
  done
  rows+=("$best")
}

measure grep grep -c sshd "$log"
measure vigil-parse "$out/logparse" -format auth "$log"
# --- peers ---
# vigil logs: parse + every detection (the stateful rules, Vigil's Sigma
# rules), findings through the engine and the JSON handler, nothing stored.
go build -o "$out/vigil" ./cmd/vigil || exit 2
measure vigil-logs "$out/vigil" logs "$(realpath "$log")" --no-store -f json
measure vigil-logs-nosigma "$out/vigil" logs "$(realpath "$log")" --no-store -f json --no-builtin-sigma
# The fixed cost of a run (start-up: the catalog, the rules; the JSON
# report) on the first 100 lines of the same log.
head -100 "$log" >"$out/auth-100.log"
measure vigil-logs-100 "$out/vigil" logs "$(realpath "$out/auth-100.log")" --no-store -f json
# fail2ban-regex with Debian's sshd filter (apt: fail2ban); BENCH_NO_FAIL2BAN=1
# leaves it out (it takes about a minute of CPU per million lines).
rm -f "$out/fail2ban-regex.out" # only this run's is printed
[ -n "${BENCH_NO_FAIL2BAN:-}" ] || command -v fail2ban-regex >/dev/null || apt-get install -y -qq fail2ban >/dev/null 2>&1
[ -z "${BENCH_NO_FAIL2BAN:-}" ] && command -v fail2ban-regex >/dev/null && runs=1 measure fail2ban-regex fail2ban-regex "$log" /etc/fail2ban/filter.d/sshd.conf
# sshguard's parser (Debian's sshguard, C: a flex/bison grammar of sshd and
# other services' attack lines), the compiled peer doing the same job:
# unpacked from the package under $out (nothing installed, no service
# started); its blocker, which only counts what the parser found, is left
# out, so its time is a lower bound of sshguard's. BENCH_NO_SSHGUARD=1 leaves it out.
sg=$out/sshguard/usr/libexec/sshguard/sshg-parser
if [ -z "${BENCH_NO_SSHGUARD:-}" ] && [ ! -x "$sg" ]; then
  (cd "$out" && rm -f sshguard_*.deb && apt-get download sshguard >/dev/null 2>&1 && dpkg -x sshguard_*.deb sshguard) || echo "sshguard: not available (apt-get download sshguard failed)" >&2
fi
[ -z "${BENCH_NO_SSHGUARD:-}" ] && [ -x "$sg" ] && measure sshg-parser sh -c '"$1" <"$2"' sh "$sg" "$log"

grep_cpu=$(echo "${rows[0]}" | awk '{ print $3 }')
grep_wall=$(echo "${rows[0]}" | awk '{ print $2 }')
# lines/s: lines per wall second (the goal of issue #14: 2M with every
# detection), lines/cpu_s per CPU second; ratios to grep's CPU and wall.
printf "%-18s %7s %7s %11s %11s %8s %8s %6s\n" contender wall_s cpu_s lines/s lines/cpu_s cpu/grep wall/grep load
for r in "${rows[@]}"; do
  set -- $r
  printf "%-18s %7s %7s %11s %11s %8s %8s %6s\n" "$1" "$2" "$3" \
    "$(awk -v n="$lines" -v c="$2" 'BEGIN { if (c+0 > 0) printf "%.0f", n/c; else print "n/a" }')" \
    "$(awk -v n="$lines" -v c="$3" 'BEGIN { if (c+0 > 0) printf "%.0f", n/c; else print "n/a" }')" \
    "$(ratio "$grep_cpu" "$3")" "$(ratio "$grep_wall" "$2")" "$4"
done
echo "parser coverage: $(head -c 300 "$out/vigil-parse.out")"
echo "vigil logs findings: $(grep -o '"rule_id": *"[a-z.-]*"' "$out/vigil-logs.out" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
[ -s "$out/fail2ban-regex.out" ] && echo "fail2ban-regex: $(grep -E '^Lines:|Failregex:' "$out/fail2ban-regex.out" | tr -s ' ' | tr '\n' ';')"
[ -s "$out/sshg-parser.out" ] && echo "sshg-parser: $(wc -l <"$out/sshg-parser.out") attack lines recognised"
# Vigil with every detection against each peer: how many times its wall and
# CPU time the peer took.
vl=""
for r in "${rows[@]}"; do set -- $r; [ "$1" = vigil-logs ] && vl="$2 $3"; done
if [ -n "$vl" ]; then
  set -- $vl; vwall=$1 vcpu=$2
  for r in "${rows[@]}"; do
    set -- $r
    case $1 in fail2ban-regex | sshg-parser) echo "vigil logs against $1: $(ratio "$vwall" "$2") its wall time, $(ratio "$vcpu" "$3") its CPU time" ;; esac
  done
fi
