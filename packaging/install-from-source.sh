#!/bin/sh
# Build preloop-hook from this source tree and install it.
#
#   packaging/install-from-source.sh [--prefix DIR] [--deps] [--no-test] [--setup]
#
#   --prefix DIR  install under DIR (default: /usr/local as root, ~/.local otherwise)
#   --deps        first install the Debian build dependencies with apt-get (needs root)
#   --no-test     skip the unit tests
#   --setup       run `preloop-hook install` afterwards (adds the hooks to ~/.claude/settings.json)
set -eu

src=$(cd "$(dirname "$0")/.." && pwd)
if [ "$(id -u)" = 0 ]; then prefix=/usr/local; else prefix="$HOME/.local"; fi
deps=0 test=1 setup=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --deps) deps=1; shift ;;
    --no-test) test=0; shift ;;
    --setup) setup=1; shift ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install-from-source.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
done

if [ "$deps" = 1 ]; then
  apt-get update
  apt-get install -y --no-install-recommends build-essential cmake pkg-config \
    nlohmann-json3-dev libre2-dev libyaml-cpp-dev libsqlite3-dev libcurl4-openssl-dev \
    libfmt-dev libcli11-dev doctest-dev libcpp-httplib-dev
fi

for tool in cmake c++ make; do
  command -v "$tool" >/dev/null 2>&1 || { echo "install-from-source.sh: '$tool' not found (try --deps)" >&2; exit 1; }
done

build=${PRELOOP_BUILD_DIR:-"$src/build-release"}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DPRELOOP_BENCH=OFF -DPRELOOP_E2E=OFF
cmake --build "$build" -j "$jobs"
if [ "$test" = 1 ]; then
  ctest --test-dir "$build" -L unit --output-on-failure -j "$jobs"
fi
cmake --install "$build"

bin="$prefix/bin/preloop-hook"
"$bin" --version
echo "installed $bin"
case ":$PATH:" in *":$prefix/bin:"*) ;; *) echo "note: $prefix/bin is not on your PATH" ;; esac
if [ "$setup" = 1 ]; then
  "$bin" install
  "$bin" doctor || true
else
  echo "next: $bin install   (then: $bin doctor)"
fi
