#!/usr/bin/env bash
# The containment tests drive iptables (the fallback for hosts without
# nftables, and Docker's nat/filter chains reproduced by hand in a network
# namespace): as root on a Debian machine without it, install the iptables
# package (iptables-nft, iptables-legacy, ip6tables); otherwise say so —
# those tests skip.
set -euo pipefail
command -v iptables-legacy >/dev/null 2>&1 && command -v iptables >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing iptables (containment tests)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq iptables >/dev/null
  exit 0
fi
echo "iptables is not installed: its containment tests will be skipped (apt-get install iptables)" >&2
