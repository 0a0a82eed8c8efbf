#!/usr/bin/env bash
# The YARA engine is C (libyara, built from source by go-yara through cgo)
# and the released binary links it statically: the build needs a C compiler
# and the static C library (libc.a). On a Debian machine without them, as
# root, install them (gcc, libc6-dev); otherwise say what is missing.
set -euo pipefail
missing=()
command -v "${CC:-gcc}" >/dev/null 2>&1 || missing+=(gcc)
libc=$(${CC:-gcc} -print-file-name=libc.a 2>/dev/null || true)
[ -n "$libc" ] && [ "$libc" != libc.a ] && [ -e "$libc" ] || missing+=(libc6-dev)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} (the YARA engine is built with cgo)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "the build needs a C compiler and libc.a: install ${missing[*]} (apt-get install ${missing[*]})" >&2
exit 1
