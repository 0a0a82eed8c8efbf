#!/usr/bin/env bash
# The incident report is checked in headless Chromium (it renders, its
# chart draws, its console stays quiet, Chinese text has CJK glyphs) and
# printed to PDF with a CJK font embedded. On a Debian machine without
# them, as root, install chromium and fonts-noto-cjk; otherwise say what
# is missing.
# Idempotent: nothing happens when everything is there.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${missing[*]} (the report's browser and PDF checks)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi
echo "the browser checks need ${missing[*]} (apt-get install ${missing[*]})" >&2
exit 1
