#!/usr/bin/env bash
# Install Debian packages the test suite or benchmarks need (chromium, wrk). Fails loudly when it cannot.
set -euo pipefail
if [ "$(id -u)" != "0" ]; then
  echo "ERROR: '$*' is missing and installing it needs root (apt-get install -y $*)." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$@" >/dev/null
for pkg in "$@"; do
  command -v "$pkg" >/dev/null 2>&1 || { echo "ERROR: $pkg still missing after apt-get install" >&2; exit 1; }
done
