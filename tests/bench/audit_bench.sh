#!/usr/bin/env bash
# Audit store benchmarks, whole-process, medians from hyperfine in one run:
#  1. the cost of the audit write: `preloop-hook hook` with audit on vs off;
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

echo "== hook with audit on vs off (the store already exists: steady state)"
PRELOOP_HOOK_CONFIG="$work/on.yaml" "$bin" hook < "$work/pass.json" > /dev/null
hyperfine --warmup 50 --runs "${RUNS:-500}" --export-json "$work/hook.json" \
  -n "audit off" "PRELOOP_HOOK_CONFIG=$work/off.yaml $bin hook < $work/pass.json" \
  -n "audit on" "PRELOOP_HOOK_CONFIG=$work/on.yaml $bin hook < $work/pass.json"
python3 - "$work/hook.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
off, on = r["audit off"]["median"] * 1000, r["audit on"]["median"] * 1000
print(f"median: audit off {off:.3f} ms, audit on {on:.3f} ms, audit cost {on - off:+.3f} ms (budget 0.300 ms)")
PY
rows_in_store=$("$bin" audit --db "$XDG_DATA_HOME/preloop-hook/audit.db" stats --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
echo "records written by the benchmark: $rows_in_store"

echo "== export of $rows records"
"$gen" "$work/big.db" "$rows"
hyperfine --runs "${EXPORT_RUNS:-3}" --export-json "$work/export.json" \
  -n csv "$bin audit --db $work/big.db export --format csv -o $work/out.csv" \
  -n jsonl "$bin audit --db $work/big.db export --format jsonl -o $work/out.jsonl"
python3 - "$work/export.json" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1]))["results"]:
    print(f"export {x['command']}: median {x['median']:.2f} s (budget 5 s)")
PY
wc -l "$work/out.csv" "$work/out.jsonl"
