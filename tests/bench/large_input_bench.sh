#!/usr/bin/env bash
# Whole-process cost of large inputs: Bash commands of 1 to 256 KiB in the
# shapes agents write (from shell_bench --print-command) and PostToolUse
# output of 1, 4 and 16 MiB, with audit off and on, against a C hello-world
# and a short command measured in the same run.
# Usage: tests/bench/large_input_bench.sh <preloop-hook> <shell_bench>
# Prints spawn_bench's lines (median, p10, p90, ratio to the floor) and, for
# the output cases, MiB/s of the median. INSTRUCTIONS=1 (needs valgrind) adds
# the instructions of the 64 KiB cases, of the `&&` chain at 16 and 32 KiB and
# of a short call.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:-$here/../../build/preloop-hook}")"
gen="$(realpath "${2:-$here/../../build/tests/bench/shell_bench}")"

source "$here/bench_sandbox.sh"

shapes=("heredoc" "heredoc-expanding" "python-c" "and-chain" "single-quoted")
for s in 0 1 2 3 4; do
  for kib in 1 16 32 64 256; do "$gen" --print-command "$s" "$kib" > "$work/cmd-$s-$kib.txt"; done
done
python3 - "$work" "$HOME/project" <<'PY'
import glob, json, os, sys
work, cwd = sys.argv[1], sys.argv[2]
def pre(command):
    return {"session_id": "b", "transcript_path": "/dev/null", "cwd": cwd, "permission_mode": "default",
            "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}, "tool_use_id": "toolu_b"}
for path in glob.glob(os.path.join(work, "cmd-*.txt")):
    json.dump(pre(open(path).read()), open(path[:-4] + ".json", "w"))
json.dump(pre("npm test"), open(os.path.join(work, "short.json"), "w"))
for mib in (1, 4, 16):
    n = mib << 20
    out = "".join(f"line {i}: build step ok, 0 warnings; key_length = 32 in /usr/lib/x86_64\n" for i in range(n // 50 + 1))[:n]
    ev = {"session_id": "b", "cwd": cwd, "hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_use_id": "toolu_b",
          "tool_input": {"command": "make"}, "tool_response": {"stdout": out, "stderr": "", "interrupted": False, "isImage": False}}
    json.dump(ev, open(os.path.join(work, f"post-{mib}.json"), "w"))
PY

run() {  # label, config yaml
  printf '%s' "$2" > "$work/config.yaml"
  export PRELOOP_HOOK_CONFIG="$work/config.yaml"
  echo "== Bash commands, $1"
  local cases=(floor "$work/short.json" "$work/hello" -- "npm test" "$work/short.json" "$bin" hook)
  for s in 0 1 2 3 4; do
    cases+=(-- "${shapes[$s]} 64 KiB" "$work/cmd-$s-64.json" "$bin" hook)
  done
  "$work/spawn_bench" "${RUNS:-60}" "${cases[@]}"
  echo "== and-chain and heredoc-expanding by size (time per KiB above a short call should be flat), $1"
  cases=(floor "$work/short.json" "$work/hello" -- "npm test" "$work/short.json" "$bin" hook)
  for s in 1 3; do
    for kib in 1 16 32 64 256; do cases+=(-- "${shapes[$s]} $kib KiB" "$work/cmd-$s-$kib.json" "$bin" hook); done
  done
  "$work/spawn_bench" "${RUNS:-60}" "${cases[@]}" |
    awk '{print} $1 == "npm" { short = $4 } $3 == "KiB" { printf "    %s %s KiB: %.1f us per KiB\n", $1, $2, ($5 - short) * 1000 / $2 }'
  echo "== PostToolUse output, $1"
  "$work/spawn_bench" "${RUNS_POST:-15}" floor "$work/short.json" "$work/hello" -- \
    "post 1 MiB" "$work/post-1.json" "$bin" hook -- \
    "post 4 MiB" "$work/post-4.json" "$bin" hook -- \
    "post 16 MiB" "$work/post-16.json" "$bin" hook |
    awk '{print} $1 == "post" { mib = $2; printf "    %s MiB: %.0f MiB/s\n", mib, mib / ($5 / 1000) }'
}

run "audit off" "profile: recommended
audit: {enabled: false}
"
run "audit on" "profile: recommended
"

# Instructions per case (callgrind), audit on. Under valgrind the analysis
# would outrun its CPU-time budget and stop early (a path a native run does
# not take), so the thread CPU clock is held at zero for the counted run.
# The preload reaches only a dynamically linked binary (-DPRELOOP_STATIC=OFF):
# a static one reads its clock itself, and a case whose analysis outlasts the
# time limit under valgrind is counted on the shorter path.
if [ -n "${INSTRUCTIONS:-}" ] && command -v valgrind >/dev/null; then
  echo "== instructions (callgrind, thread CPU clock held still), audit on"
  ldd "$bin" >/dev/null 2>&1 ||
    echo "  static binary: its clock is not held; a large analysis may stop at its time limit (a count below native)"
  printf '#define _GNU_SOURCE\n#include <time.h>\n#include <unistd.h>\n#include <sys/syscall.h>\n
int clock_gettime(clockid_t id, struct timespec* ts) {
  if (id == CLOCK_THREAD_CPUTIME_ID || id == CLOCK_PROCESS_CPUTIME_ID) { ts->tv_sec = 0; ts->tv_nsec = 0; return 0; }
  return (int)syscall(SYS_clock_gettime, id, ts);
}\n' > "$work/still_clock.c"
  cc -O2 -shared -fPIC -o "$work/still_clock.so" "$work/still_clock.c"
  for c in short cmd-0-64 cmd-1-64 cmd-2-64 cmd-3-64 cmd-4-64 cmd-3-16 cmd-3-32; do
    "$bin" hook < "$work/$c.json" > /dev/null || true  # snapshots written natively first
    LD_PRELOAD="$work/still_clock.so" valgrind --tool=callgrind --callgrind-out-file="$work/cg.$c" \
      "$bin" hook < "$work/$c.json" > /dev/null 2> "$work/cg.$c.err" || true
    printf '  %-10s %s instructions\n' "$c" "$(grep -o 'Collected : [0-9]*' "$work/cg.$c.err" | awk '{print $3}')"
  done
fi
