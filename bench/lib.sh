# Shared by the bench scripts (sourced, not run).

# settle: wait (up to BENCH_SETTLE_MAX s) until the 1-minute load average is
# below BENCH_MAX_LOAD, so timings are not taken on a busy machine; prints it.
settle() {
  local max=${BENCH_SETTLE_MAX:-900} lim=${BENCH_MAX_LOAD:-1.2} l
  while l=$(cut -d' ' -f1 /proc/loadavg); awk -v l="$l" -v m="$lim" 'BEGIN { exit !(l >= m) }' && [ "$max" -gt 0 ]; do
    sleep 10; max=$((max - 10))
  done
  echo "$l"
}

# ratio A B: how many times longer B took than A ("n/a" without numbers).
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.1fx", b/a; else print "n/a" }'; }
