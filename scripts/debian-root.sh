#!/usr/bin/env bash
# Build (once) a real Debian 12 server root with debootstrap, for the
# end-to-end test `vigil scan --root` must pass with zero findings at medium
# or above. Cached outside the repository; prints the root's path.
#
#   scripts/debian-root.sh [DIR]     (default: /var/cache/vigil-e2e/bookworm)
#
# Other roots build on it (scripts/wordpress-root.sh): EXTRA_PACKAGES adds
# packages (comma-separated) and ROOT_SETUP names a command run with the
# root's path before the root is marked complete.
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
  --include=systemd-sysv,openssh-server,cron,rsyslog,sudo,logrotate,nginx-light,procps,iproute2,less,ca-certificates${EXTRA_PACKAGES:+,$EXTRA_PACKAGES} \
  bookworm "$dir" "$mirror" >&2
# debootstrap leaves the apt cache behind; it is not part of a server.
rm -rf "$dir"/var/cache/apt/archives/*.deb
if [ -n "${ROOT_SETUP:-}" ]; then
  $ROOT_SETUP "$dir" >&2
fi
touch "$dir/.vigil-complete"
echo "$dir"
