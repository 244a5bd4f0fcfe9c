#!/usr/bin/env bash
# Installs the Debian packages listed in the given file when any is missing.
# The service itself needs none of them; tests and benchmarks use them as real peers
# (SoftHSM2 for PKCS#11 tokens, poppler and qpdf as independent PDF validators, Chromium).
set -euo pipefail
list=${1:-system-packages.txt}
mapfile -t wanted < <(grep -v '^\s*#' "$list" | awk 'NF {print $1}')
[ ${#wanted[@]} -eq 0 ] && exit 0
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "missing system packages (install them by hand): ${missing[*]}" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# wait for another apt run (a second `make` in parallel) instead of failing on its lock
APT=(-o DPkg::Lock::Timeout=600)
$SUDO apt-get "${APT[@]}" update -qq
$SUDO apt-get "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}"
