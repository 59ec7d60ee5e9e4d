#!/usr/bin/env bash
# Installs whatever is missing on a fresh Debian machine that has only Node and npm:
# Debian packages the project runs for real, then the pnpm workspace. Safe to run again: does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

# Chromium drives the end-to-end tests (Playwright, executablePath /usr/bin/chromium); CJK fonts render the zh-CN UI.
# Kamailio is each centre's SIP server (sync-server/sip/kamailio.cfg); sip-tester is SIPp, a trunk caller.
APT_PACKAGES=(python3 make g++ chromium fonts-noto-cjk
  kamailio kamailio-websocket-modules kamailio-extra-modules kamailio-utils-modules kamailio-autheph-modules sip-tester)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# pnpm install is quick when node_modules already matches the lockfile.
stamp=node_modules/.twinline-lock
if [ ! -f "$stamp" ] || ! cmp -s pnpm-lock.yaml "$stamp"; then
  echo "bootstrap: installing the workspace (sqlite3 compiles from source on first install, ~90 s)"
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 bash scripts/pnpm.sh install --frozen-lockfile
  cp pnpm-lock.yaml "$stamp"
fi
