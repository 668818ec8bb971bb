#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine, builds preloop-hook, and then
#   demo: runs the hook on sample tool calls with the default policy
#   test: runs the whole test suite (the README's test command)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-demo}"
bash packaging/deps.sh build
if [ "$mode" = test ]; then
  # What only the tests run installs while the build compiles (mostly download time):
  # the test tools, then the agent CLIs of the end-to-end suites (build/e2e-cache).
  tools_log="$(mktemp)"
  { bash packaging/deps.sh tools && python3 tests/e2e/prefetch.py build/e2e-cache; } >"$tools_log" 2>&1 &
  tools_pid=$!
fi
# Optimised like a release, with line tables only (-g1): a fifth less compile time than -g.
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" >/dev/null
# The demo runs only the binary: build just that; the tests need everything.
if [ "$mode" = demo ]; then
  cmake --build build -j"$(nproc)" --target preloop-hook
else
  cmake --build build -j"$(nproc)"
fi

case "$mode" in
  demo)
    sandbox="$(mktemp -d)"
    trap 'rm -rf "$sandbox"' EXIT
    export HOME="$sandbox/home" XDG_CONFIG_HOME="$sandbox/config" XDG_DATA_HOME="$sandbox/data"
    mkdir -p "$HOME" /tmp/sample-project
    for ev in hooks/sample-events/*.json; do
      echo "== $(basename "$ev"): $(python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); print(e["tool_name"], json.dumps(e["tool_input"])[:90])' "$ev")"
      set +e
      ./build/preloop-hook hook < "$ev"
      code=$?
      set -e
      echo "-> exit code $code"
    done
    echo "== the audit trail of these calls"
    ./build/preloop-hook audit list || true
    ;;
  test)
    if ! wait "$tools_pid"; then
      cat "$tools_log" >&2
      echo "quickstart: installing the test tools failed (above)" >&2
      exit 1
    fi
    ctest --test-dir build --output-on-failure -j2 --repeat until-pass:2
    ;;
  *)
    echo "usage: $0 demo|test" >&2
    exit 2
    ;;
esac
