#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages preloop-hook needs.
#   deps.sh build   what building needs (the demo)
#   deps.sh tools   what the tests run besides the build (receivers, browsers, agent CLIs' node)
#   deps.sh         both
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
BUILD=(
  build-essential cmake pkg-config git ca-certificates lld python3 help2man
  libcli11-dev nlohmann-json3-dev libre2-dev libfmt-dev libsqlite3-dev libcurl4-openssl-dev
  doctest-dev libyaml-cpp-dev libcpp-httplib-dev libssl-dev libbenchmark-dev nettle-dev zlib1g-dev
)
TOOLS=(
  sqlite3 hyperfine openssl curl chromium-headless-shell strace
  rsyslog rsyslog-gnutls
  nodejs npm
)
case "${1:-all}" in
  build) PACKAGES=("${BUILD[@]}") ;;
  tools) PACKAGES=("${TOOLS[@]}") ;;
  all) PACKAGES=("${BUILD[@]}" "${TOOLS[@]}") ;;
  *) echo "usage: $0 [build|tools]" >&2; exit 2 ;;
esac
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
