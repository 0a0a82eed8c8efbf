#!/usr/bin/env bash
# The containment tests drive iptables (the fallback for hosts without
# nftables, and Docker's nat/filter chains reproduced by hand in a network
# namespace) and nft (the boot file of `isolate --persist` loaded as the
# boot would): as root on a Debian machine without them, install the
# iptables package (iptables-nft, iptables-legacy, ip6tables) and nftables;
# otherwise say so — those tests skip.
set -euo pipefail
need=()
command -v iptables-legacy >/dev/null 2>&1 && command -v iptables >/dev/null 2>&1 || need+=(iptables)
command -v nft >/dev/null 2>&1 || need+=(nftables)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} (containment tests)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
  exit 0
fi
echo "${need[*]} not installed: their containment tests will be skipped (apt-get install ${need[*]})" >&2
