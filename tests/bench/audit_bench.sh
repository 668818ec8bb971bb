#!/usr/bin/env bash
# Audit store benchmarks, whole-process, medians from one run:
#  1. the cost of the audit write: `preloop-hook hook` with audit off, in journal
#     mode (the default) and in direct mode, interleaved run by run (spawn_bench.c);
#  2. exporting 1,000,000 records to CSV and JSONL.
# Usage: tests/bench/audit_bench.sh path/to/preloop-hook path/to/audit_bench_gen [ROWS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:?preloop-hook binary}")"
gen="$(realpath "${2:?audit_bench_gen binary}")"
rows="${3:-1000000}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/cfg" XDG_DATA_HOME="$work/data" PRELOOP_HOOK_MANAGED_DIR="$work/managed"
unset CLAUDE_PROJECT_DIR PRELOOP_URL PRELOOP_API_KEY PRELOOP_HOOK_AUDIT_DB PRELOOP_HOOK_CONFIG
mkdir -p "$HOME/project" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"
printf 'profile: recommended\n' > "$work/on.yaml"
printf 'profile: recommended\naudit: {enabled: false}\n' > "$work/off.yaml"
printf '{"session_id":"b","transcript_path":"/dev/null","cwd":"%s","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"npm test","description":"run tests"},"tool_use_id":"toolu_b"}' \
  "$HOME/project" > "$work/pass.json"

echo "== hook with audit off / journal (default) / direct, interleaved (the store already exists: steady state)"
printf 'profile: recommended\naudit: {mode: direct}\n' > "$work/direct.yaml"
cc -O2 -o "$work/spawn_bench" "$here/spawn_bench.c"
# spawn_bench takes no per-case environment: one tiny wrapper binary per config.
for c in off on direct; do
  printf '#include <stdlib.h>\n#include <unistd.h>\nint main(void){setenv("PRELOOP_HOOK_CONFIG","%s",1);execl("%s","preloop-hook","hook",(char*)0);return 127;}\n' \
    "$work/$c.yaml" "$bin" > "$work/with_$c.c"
  cc -O2 -o "$work/with_$c" "$work/with_$c.c"
  "$work/with_$c" < "$work/pass.json" > /dev/null || true
done
"$work/spawn_bench" "${RUNS:-500}" \
  "audit off" "$work/pass.json" "$work/with_off" -- \
  "audit journal" "$work/pass.json" "$work/with_on" -- \
  "audit direct" "$work/pass.json" "$work/with_direct" | tee "$work/hook.txt"
python3 - "$work/hook.txt" <<'PY'
import re, sys
med = {m.group(1).strip(): float(m.group(2)) for m in re.finditer(r"^\s+(audit \w+)\s+median\s+([\d.]+) ms", open(sys.argv[1]).read(), re.M)}
for mode in ("journal", "direct"):
    print(f"audit write cost, {mode}: {med['audit ' + mode] - med['audit off']:+.3f} ms over audit off (budget 0.300 ms)")
PY
rows_in_store=$("$bin" audit --db "$XDG_DATA_HOME/preloop-hook/audit.db" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "records written by the benchmark: $rows_in_store"

echo "== export of $rows records"
"$gen" "$work/big.db" "$rows"
# Each run writes a new file: removing the previous 1 GB export is not export work.
hyperfine --runs "${EXPORT_RUNS:-3}" --export-json "$work/export.json" --prepare "rm -f $work/out.csv $work/out.jsonl" \
  -n csv "$bin audit --db $work/big.db export --format csv -o $work/out.csv" \
  -n jsonl "$bin audit --db $work/big.db export --format jsonl -o $work/out.jsonl"
python3 - "$work/export.json" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1]))["results"]:
    print(f"export {x['command']}: median {x['median']:.2f} s (budget 5 s)")
PY
wc -l "$work/out.jsonl"  # the last run's file
