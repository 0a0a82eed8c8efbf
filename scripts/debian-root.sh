#!/usr/bin/env bash
# Build (once) a real Debian 12 server root with debootstrap, for the
# end-to-end test `vigil scan --root` must pass with zero findings at medium
# or above. Cached outside the repository; prints the root's path.
#
#   scripts/debian-root.sh [DIR]     (default: /var/cache/vigil-e2e/bookworm)
set -euo pipefail
dir=${1:-${VIGIL_E2E_ROOT:-/var/cache/vigil-e2e/bookworm}}
mirror=${DEBIAN_MIRROR:-$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}
mirror=${mirror:-http://deb.debian.org/debian}
if [ -f "$dir/.vigil-complete" ]; then
  echo "$dir"
  exit 0
fi
command -v debootstrap >/dev/null || {
  echo "debootstrap is not installed (apt-get install debootstrap)" >&2
  exit 2
}
rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
# A small but lived-in server: ssh, cron, syslog, sudo, logrotate, nginx.
debootstrap --variant=minbase \
  --include=systemd-sysv,openssh-server,cron,rsyslog,sudo,logrotate,nginx-light,procps,iproute2,less,ca-certificates \
  bookworm "$dir" "$mirror" >&2
# debootstrap leaves the apt cache behind; it is not part of a server.
rm -rf "$dir"/var/cache/apt/archives/*.deb
touch "$dir/.vigil-complete"
echo "$dir"
