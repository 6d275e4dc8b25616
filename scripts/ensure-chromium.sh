#!/usr/bin/env bash
# Make sure the browser tests can run: Debian's Chromium at /usr/bin/chromium (playwright-core drives
# it; `npx playwright install` cannot work offline) and a Japanese font (fonts-noto-cjk), so that
# screenshots of the Japanese UI are readable. Installs only what is missing, with apt-get (through
# sudo when not root); does nothing when both are present. `npm test` runs it before Vitest.
#
# ARLENS_CHROMIUM overrides the browser's path (tests use it to exercise the install path).
set -euo pipefail

chromium=${ARLENS_CHROMIUM:-/usr/bin/chromium}
missing=()

if [ ! -x "$chromium" ]; then
  missing+=(chromium)
fi

has_japanese_font() {
  if command -v fc-list >/dev/null 2>&1; then
    [ -n "$(fc-list :lang=ja family 2>/dev/null)" ]
  else
    dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q 'install ok installed'
  fi
}
if ! has_japanese_font; then
  missing+=(fonts-noto-cjk)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

fail() {
  echo "ensure-chromium: $1" >&2
  echo "ensure-chromium: the browser tests need $chromium and a Japanese font;" \
    "install Debian's packages: apt-get install -y chromium fonts-noto-cjk" >&2
  exit 1
}

if ! command -v apt-get >/dev/null 2>&1; then
  fail "missing ${missing[*]}, and apt-get is not available on this machine."
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    fail "missing ${missing[*]}; installing needs root, and sudo is not available."
  fi
  sudo=(sudo)
fi

echo "ensure-chromium: installing ${missing[*]} with apt-get ..." >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q || fail "apt-get update failed."
"${sudo[@]}" apt-get install -y -q "${missing[@]}" || fail "apt-get install ${missing[*]} failed."

if [ ! -x "$chromium" ]; then
  fail "apt-get installed chromium, but $chromium is still missing."
fi
echo "ensure-chromium: $("$chromium" --version 2>/dev/null | tail -n 1)" >&2
