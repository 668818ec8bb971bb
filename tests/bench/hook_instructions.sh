#!/usr/bin/env bash
# Instructions executed by one hook process per case (valgrind --tool=callgrind),
# with the config and policy snapshots warm and the setup of hook_bench.sh: a count that does
# not move with machine load. Usage: tests/bench/hook_instructions.sh [preloop-hook] [audit on|off]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:-$here/../../build/preloop-hook}")"
audit="${2:-off}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

export HOME="$work/home" XDG_CONFIG_HOME="$work/cfg" XDG_DATA_HOME="$work/data" PRELOOP_HOOK_MANAGED_DIR="$work/managed"
unset CLAUDE_PROJECT_DIR PRELOOP_URL PRELOOP_API_KEY PRELOOP_HOOK_AUDIT_DB
mkdir -p "$HOME/project" "$XDG_CONFIG_HOME/preloop-hook/rules"
cp "$here/../../rules/examples/"{block-destructive,medium-security,protect-sensitive-files,deployment-safeguards}.yaml \
  "$XDG_CONFIG_HOME/preloop-hook/rules/"
printf 'profile: recommended\n' > "$work/config.yaml"
[ "$audit" = off ] && printf 'audit: {enabled: false}\n' >> "$work/config.yaml"
export PRELOOP_HOOK_CONFIG="$work/config.yaml"

event() {  # tool, input json
  printf '{"session_id":"b","transcript_path":"/dev/null","cwd":"%s","permission_mode":"default","hook_event_name":"PreToolUse","tool_name":"%s","tool_input":%s,"tool_use_id":"toolu_b"}' \
    "$HOME/project" "$1" "$2"
}
event Bash '{"command":"npm test","description":"run tests"}' > "$work/pass.json"
event Bash '{"command":"git status"}' > "$work/git.json"
event Bash '{"command":"rm -rf / --no-preserve-root"}' > "$work/deny.json"
event Write "{\"file_path\":\"$HOME/project/src/app.ts\",\"content\":\"export const x = 1;\\n\"}" > "$work/write.json"

for c in pass git deny write; do
  # Writes the config and policy snapshots. They are keyed by the binary's
  # build id, which valgrind does not change: the run below reads them warm.
  "$bin" hook < "$work/$c.json" > /dev/null 2>&1 || true
  before="$(ls -l --time-style=full-iso "$XDG_DATA_HOME/preloop-hook/cache")"
  valgrind --tool=callgrind --callgrind-out-file="$work/cg" "$bin" hook < "$work/$c.json" > /dev/null 2>&1 || true
  [ "$before" = "$(ls -l --time-style=full-iso "$XDG_DATA_HOME/preloop-hook/cache")" ] ||
    echo "warning: $c rewrote a snapshot under valgrind: the count below is not the warm path" >&2
  printf '%-6s %s instructions\n' "$c" "$(callgrind_annotate "$work/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {print $1}')"
done
