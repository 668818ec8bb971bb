#!/usr/bin/env bash
# Whole-process benchmark of the hook, against a C hello-world built in the
# same run as the floor. Usage: tests/bench/hook_bench.sh [path/to/preloop-hook]
# Prints the median of each case, its ratio to the floor and its page faults
# (spawn_bench.c), the page faults taken as traps (perf, when available), then
# the instructions one process executes per case
# (perf when the machine counts instructions, else callgrind; skipped without
# either, or with INSTRUCTIONS=0).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${1:-$here/../../build/preloop-hook}"
bin="$(realpath "$bin")"

source "$here/bench_sandbox.sh"

event() {  # tool, input json
  printf '{"session_id":"b","transcript_path":"/dev/null","cwd":"%s","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"%s","tool_input":%s,"tool_use_id":"toolu_b"}' \
    "$HOME/project" "$1" "$2"
}
event Bash '{"command":"npm test","description":"run tests"}' > "$work/pass.json"
event Bash '{"command":"rm -rf / --no-preserve-root"}' > "$work/deny.json"
event Write "{\"file_path\":\"$HOME/project/src/app.ts\",\"content\":\"export const x = 1;\\n\"}" > "$work/write.json"
python3 - "$work/post.json" <<'PY'
import json, sys
out = "".join(f"line {i}: build step ok, 0 warnings\n" for i in range(1600))[:65536]
ev = {"session_id": "b", "cwd": "/tmp", "hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_use_id": "toolu_b",
      "tool_input": {"command": "make"}, "tool_response": {"stdout": out, "stderr": "", "interrupted": False, "isImage": False}}
json.dump(ev, open(sys.argv[1], "w"))
PY

# Instructions of one run of a command with stdin from a file: perf, else callgrind, else nothing.
counter=none
if perf stat -x, -e instructions:u true 2>&1 >/dev/null | grep -q '^[0-9]'; then
  counter=perf
elif command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  counter=callgrind
fi
[ "${INSTRUCTIONS:-1}" = 0 ] && counter=none
instructions() {  # stdin file, command...
  local in="$1"; shift
  case "$counter" in
    perf) perf stat -x, -e instructions:u "$@" < "$in" 2>&1 >/dev/null | awk -F, '/instructions/ {print $1}' ;;
    callgrind)
      valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$@" < "$in" > /dev/null 2>&1 || true
      callgrind_annotate "$work/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}' ;;
  esac
}

traps() {  # stdin file, command...: the median of 9 runs
  local in="$1"; shift
  for _ in 1 2 3 4 5 6 7 8 9; do
    perf stat -x, -e page-faults "$@" < "$in" 2>&1 >/dev/null | awk -F, '/page-faults/ {print $1}'
  done | sort -n | sed -n 5p
}

run_cases() {  # label, config yaml
  printf '%s' "$2" > "$work/config.yaml"
  export PRELOOP_HOOK_CONFIG="$work/config.yaml"
  "$work/spawn_bench" "${RUNS:-400}" \
    floor "$work/pass.json" "$work/hello" -- \
    "pass ($1)" "$work/pass.json" "$bin" hook -- \
    "deny ($1)" "$work/deny.json" "$bin" hook -- \
    "write ($1)" "$work/write.json" "$bin" hook -- \
    "post 64KiB ($1)" "$work/post.json" "$bin" hook
  # Page faults taken as traps (perf's software counter; the faults column
  # above also counts pages mapped in advance with madvise).
  if perf stat -x, -e page-faults true 2>&1 >/dev/null | grep -q '^[0-9]'; then
    printf '  page-fault traps: floor %s' "$(traps "$work/pass.json" "$work/hello")"
    for c in pass deny write post; do printf ', %s %s' "$c" "$(traps "$work/$c.json" "$bin" hook)"; done
    printf '\n'
  fi
  [ "$counter" = none ] && return
  # The snapshots are warm: spawn_bench ran every case.
  printf '  instructions (%s): floor %s' "$counter" "$(instructions "$work/pass.json" "$work/hello")"
  for c in pass deny write post; do printf ', %s %s' "$c" "$(instructions "$work/$c.json" "$bin" hook)"; done
  printf '\n'
}

echo "== guide policies + recommended packs, audit on"
run_cases recommended "profile: recommended
"
echo "== guide policies + recommended packs, audit on, one forwarding sink (nothing listening)"
run_cases forward "profile: recommended
audit:
  forward:
    - {name: bench, kind: otlp, endpoint: 'http://127.0.0.1:9'}
"
echo "== guide policies + recommended packs, audit off"
run_cases no-audit "profile: recommended
audit: {enabled: false}
"
echo "== guide policies only (packs off), audit off"
run_cases guide-only "profile: off
audit: {enabled: false}
"
