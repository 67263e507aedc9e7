#!/usr/bin/env bash
# Installs Debian's chromium package, the headless browser tests/Drex.Browser.Tests drives, when /usr/bin/chromium is
# missing. Needs root (or sudo) and the Debian package mirrors. Idempotent: does nothing when Chromium is there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "Chromium is installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-chromium.sh: run as root (or install sudo) to apt-get install chromium" >&2; exit 1; }
  sudo="sudo"
fi
echo "Installing chromium (apt-get)..."
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
/usr/bin/chromium --version
