#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages needed to build and test preloop-hook.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
PACKAGES=(
  build-essential cmake pkg-config git ca-certificates lld
  libcli11-dev nlohmann-json3-dev libre2-dev libfmt-dev libsqlite3-dev libcurl4-openssl-dev
  doctest-dev libyaml-cpp-dev libcpp-httplib-dev libssl-dev libbenchmark-dev nettle-dev
  sqlite3 hyperfine openssl curl python3 help2man
  rsyslog rsyslog-gnutls
  clang libclang-rt-14-dev
  nodejs npm
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere (nvm, NodeSource): only install when absent.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<< "${missing[*]}"
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
