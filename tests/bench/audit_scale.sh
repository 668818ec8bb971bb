#!/usr/bin/env bash
# Hook cost against the size of the audit history. For each store size (an
# empty store, then each ROWS given, default 1,000,000 and 10,000,000 records),
# CALLS consecutive hook calls (default 1,000) append to that store, in journal
# mode (the default) and in direct mode, the cases interleaved call by call
# (spawn_bench.c) so that machine noise hits them alike. Reports median, p99
# and max per case and the ratio of each p99 to the empty store's median in the
# same mode (target: at most 2x). A 64 KiB command on the largest store shows
# that a big record does not make every call wait on a fold.
# Usage: tests/bench/audit_scale.sh path/to/preloop-hook path/to/audit_bench_gen [ROWS...]
#   CALLS=N to change the number of calls; KEEP=DIR to keep (and reuse) generated stores;
#   CHECK=1 to also check afterwards that every store holds every record on a verified chain.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:?preloop-hook binary}")"
gen="$(realpath "${2:?audit_bench_gen binary}")"
shift 2
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000000 10000000)
calls="${CALLS:-1000}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
stores="${KEEP:-$work/stores}"
mkdir -p "$stores"
export HOME="$work/home" XDG_CONFIG_HOME="$work/cfg" XDG_DATA_HOME="$work/data" PRELOOP_HOOK_MANAGED_DIR="$work/managed"
unset CLAUDE_PROJECT_DIR PRELOOP_URL PRELOOP_API_KEY PRELOOP_HOOK_AUDIT_DB PRELOOP_HOOK_CONFIG
mkdir -p "$HOME/project" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
cc -O2 -o "$work/spawn_bench" "$here/spawn_bench.c"

printf '{"session_id":"s","transcript_path":"/dev/null","cwd":"%s","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"npm test","description":"run tests"},"tool_use_id":"toolu_s"}' \
  "$HOME/project" > "$work/pass.json"
python3 - "$work/big.json" "$HOME/project" <<'PY'
import json, sys
cmd = "echo " + "x" * (64 * 1024)
json.dump({"session_id": "s", "transcript_path": "/dev/null", "cwd": sys.argv[2], "permission_mode": "default",
           "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": cmd},
           "tool_use_id": "toolu_big"}, open(sys.argv[1], "w"))
PY

# One store per case, each a copy of the generated store of its size.
store_of() {  # rows -> path of a generated store (cached in $stores)
  local f="$stores/gen-$1.db"
  if [ ! -f "$f" ]; then
    local t0=$SECONDS
    "$gen" "$f" "$1" >/dev/null
    echo "generated $1 records in $((SECONDS - t0)) s ($(du -h "$f" | cut -f1))" >&2
  fi
  echo "$f"
}

# spawn_bench takes no per-case environment: one tiny wrapper binary per case,
# each with its own data and state directories (as separate users would have:
# the cases' configs differ, and one data directory would see a config change
# on every call).
wrapper() {  # name, config yaml, db
  printf '%s' "$2" > "$work/$1.yaml"
  local xdg
  xdg="$(dirname "$3")/xdg"
  printf '#include <stdlib.h>\n#include <unistd.h>\nint main(void){setenv("PRELOOP_HOOK_CONFIG","%s",1);setenv("PRELOOP_HOOK_AUDIT_DB","%s",1);setenv("XDG_DATA_HOME","%s/data",1);setenv("XDG_STATE_HOME","%s/state",1);execl("%s","preloop-hook","hook",(char*)0);return 127;}\n' \
    "$work/$1.yaml" "$3" "$xdg" "$xdg" "$bin" > "$work/$1.c"
  cc -O2 -o "$work/$1" "$work/$1.c"
}

cases=()
dbs=()
add_case() {  # label, rows, mode, event
  local name="w${#cases[@]}" db="$work/db-${#cases[@]}/audit.db"
  dbs+=("$db:$2")
  mkdir -p "$(dirname "$db")"
  if [ "$2" -gt 0 ]; then
    local src
    src="$(store_of "$2")"
    cp "$src" "$db"
    cp "$src.key" "$db.key"  # the rows are keyed with it
  fi
  wrapper "$name" "profile: recommended
audit: {mode: $3}
" "$db"
  cases+=("$1" "$4" "$work/$name" --)
}

add_case "empty, journal" 0 journal "$work/pass.json"
add_case "empty, direct" 0 direct "$work/pass.json"
for n in "${sizes[@]}"; do
  add_case "$n rows, journal" "$n" journal "$work/pass.json"
  add_case "$n rows, direct" "$n" direct "$work/pass.json"
done
last="${sizes[-1]}"
add_case "$last rows, journal, 64 KiB cmd" "$last" journal "$work/big.json"
unset 'cases[-1]'

echo "== $calls consecutive hook calls per store, interleaved (median / p99 / max)"
"$work/spawn_bench" "$calls" "${cases[@]}" | tee "$work/out.txt"
python3 - "$work/out.txt" <<'PY'
import re, sys
rows = {}
for m in re.finditer(r"^\s+(.+?)\s+median\s+([\d.]+) ms.*?p99\s+([\d.]+)\s+max\s+([\d.]+)", open(sys.argv[1]).read(), re.M):
    rows[m.group(1)] = (float(m.group(2)), float(m.group(3)), float(m.group(4)))
ok = True
for name, (med, p99, mx) in rows.items():
    mode = "direct" if "direct" in name else "journal"
    base = rows[f"empty, {mode}"][0]
    ratio = p99 / base
    flag = "" if ratio <= 2 or "64 KiB" in name else "  OVER TARGET"
    ok = ok and (flag == "")
    print(f"{name:36s} p99 {p99:8.3f} ms = {ratio:5.2f}x the empty store's median ({base:.3f} ms); max {mx:.3f} ms{flag}")
print("per-call cost flat in history size" if ok else "per-call cost NOT flat: see above")
PY

# Folds started by the last calls may still run: let them finish first.
while pgrep -f "$work/db-" >/dev/null; do sleep 0.2; done
if [ "${CHECK:-0}" = 1 ]; then
  expect_calls=$((calls + 10))  # spawn_bench warms each case up with 10 runs
  for entry in "${dbs[@]}"; do
    db="${entry%:*}" rows="${entry##*:}"
    export XDG_DATA_HOME="$(dirname "$db")/xdg/data" XDG_STATE_HOME="$(dirname "$db")/xdg/state"
    "$bin" audit --db "$db" fold >/dev/null
    total=$("$bin" audit --db "$db" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
    if [ "$total" != "$((rows + expect_calls))" ]; then
      echo "FAIL: $db holds $total records, expected $((rows + expect_calls))" >&2
      exit 1
    fi
    "$bin" audit --db "$db" verify >/dev/null || { echo "FAIL: $db does not verify" >&2; "$bin" audit --db "$db" verify >&2; exit 1; }
  done
  echo "every store holds every record on a verified chain"
fi
