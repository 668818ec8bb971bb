#!/usr/bin/env bash
# The forwarding fleet at full size: 50 sandboxed machines x 200 hook calls,
# forwarding to one real rsyslogd and one OTLP/HTTP stand-in; prints
# throughput and receiver load, and first the hook wall time of the same calls
# on machines without sinks. Usage: forward_fleet.sh build/preloop-hook [MACHINESxCALLS]
set -euo pipefail
bin=$(realpath "${1:?usage: forward_fleet.sh path/to/preloop-hook [MACHINESxCALLS]}")
here=$(cd "$(dirname "$0")/../forward" && pwd)
PRELOOP_HOOK_BIN="$bin" PRELOOP_FLEET="${2:-50x200}" PRELOOP_FLEET_BASELINE=1 PYTHONDONTWRITEBYTECODE=1 \
  exec python3 "$here/run_forward.py" test_fleet
