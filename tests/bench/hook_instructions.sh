#!/usr/bin/env bash
# Instructions executed by one hook process per case (valgrind --tool=callgrind),
# with the config and policy snapshots warm and the setup of hook_bench.sh: a
# count that does not move with machine load.
# Usage: tests/bench/hook_instructions.sh [preloop-hook] [audit on|off] [ORDER_FILE]
# With ORDER_FILE, also writes the functions of the binary those runs executed
# (mangled, first seen first), then the data objects they read or wrote
# (valgrind --tool=lackey): the link order of cmake/hook-symbol-order.txt. The
# data keeps the pages a call touches in .bss, .data and .rodata few.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="$(realpath "${1:-$here/../../build/preloop-hook}")"
audit="${2:-off}"
order="${3:-}"
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
python3 - "$work/post.json" <<'PY'
import json, sys
out = "".join(f"line {i}: build step ok, 0 warnings\n" for i in range(1600))[:65536]
ev = {"session_id": "b", "cwd": "/tmp", "hook_event_name": "PostToolUse", "tool_name": "Bash", "tool_use_id": "toolu_b",
      "tool_input": {"command": "make"}, "tool_response": {"stdout": out, "stderr": "", "interrupted": False, "isImage": False}}
json.dump(ev, open(sys.argv[1], "w"))
PY

for c in pass git deny write post; do
  # Writes the config and policy snapshots. They are keyed by the binary's
  # build id, which valgrind does not change: the run below reads them warm.
  "$bin" hook < "$work/$c.json" > /dev/null 2>&1 || true
  before="$(ls -l --time-style=full-iso "$XDG_DATA_HOME/preloop-hook/cache")"
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$work/cg.$c" "$bin" hook < "$work/$c.json" > /dev/null 2>&1 || true
  [ "$before" = "$(ls -l --time-style=full-iso "$XDG_DATA_HOME/preloop-hook/cache")" ] ||
    echo "warning: $c rewrote a snapshot under valgrind: the count below is not the warm path" >&2
  printf '%-6s %s instructions\n' "$c" "$(callgrind_annotate "$work/cg.$c" 2>/dev/null | awk '/PROGRAM TOTALS/ {print $1}')"
done

[ -z "$order" ] && exit 0
# Function names of the binary's own object in callgrind's compressed format:
# "fn=(id) name" or "cfn=(id) name" name an id once; "ob=(id)" switches object.
python3 - "$bin" "$order" "$work"/cg.{pass,git,deny,write,post} <<'PY'
import re, sys
binary, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
names, seen = [], set()
for path in files:
    objs, fns, current = {}, {}, None
    for line in open(path):
        m = re.match(r'^(c?ob|c?fn)=\((\d+)\)(?: (.*))?$', line.rstrip('\n'))
        if not m:
            continue
        kind, ident, name = m.groups()
        table = objs if kind.endswith('ob') else fns
        if name:
            table[ident] = name
        if kind == 'ob':
            current = objs.get(ident)
        elif kind == 'fn' and current == binary:
            f = fns.get(ident)
            if f and not f.startswith('0x') and f not in seen:
                seen.add(f)
                names.append(f)
# A statically linked binary carries libc's string functions in one variant
# per instruction set, picked at start-up for the CPU (valgrind's is not the
# machine's): every variant of a family that ran goes beside it.
import subprocess
symbols = subprocess.run(['nm', '--defined-only', binary], capture_output=True, text=True).stdout.split()
# Nettle does the same for its compression functions (valgrind's CPU has no
# SHA extensions: _nettle_sha256_compress_x86_64 runs there, _sha_ni natively).
variant = re.compile(r'^(__[a-z0-9]+?|_nettle_[a-z0-9_]+?)_(sse2|sse4_1|sse4_2|ssse3|avx|avx2|evex|avx512|erms|x86_64|sha_ni)')
ordered = []
for n in names:
    ordered.append(n)
    m = variant.match(n)
    family = m.group(1) if m else '__' + n  # memmove: __memmove_avx512_unaligned_erms, ...
    for s in symbols:
        if s.startswith(family + '_') and variant.match(s) and s not in seen:
            seen.add(s)
            ordered.append(s)
names = ordered
open(out, 'w').write(''.join(n + '\n' for n in names))
print(f"{len(names)} functions written to {out}")
PY
for c in pass git deny write post; do
  valgrind --tool=lackey --trace-mem=yes --log-file="$work/lk.$c" "$bin" hook < "$work/$c.json" > /dev/null 2>&1 || true
done
# Data accesses are lackey's " L addr,size" (load), " S" (store) and " M" (modify) lines.
python3 - "$bin" "$order" "$work"/lk.{pass,git,deny,write,post} <<'PY'
import bisect, subprocess, sys
binary, out, files = sys.argv[1], sys.argv[2], sys.argv[3:]
objects = []
for line in subprocess.run(['nm', '-S', '--defined-only', binary], capture_output=True, text=True).stdout.splitlines():
    p = line.split()
    if len(p) == 4 and p[2] in 'bBdDrR':
        objects.append((int(p[0], 16), int(p[1], 16), p[3]))
objects.sort()
starts = [o[0] for o in objects]
names, seen = [], set(open(out).read().split())
for path in files:
    for line in open(path):
        if not line.startswith((' L', ' S', ' M')):
            continue
        address = int(line[3:].split(',')[0], 16)
        i = bisect.bisect_right(starts, address) - 1
        if i >= 0 and address < objects[i][0] + objects[i][1] and objects[i][2] not in seen:
            seen.add(objects[i][2])
            names.append(objects[i][2])
with open(out, 'a') as f:
    f.write(''.join(n + '\n' for n in names))
print(f"{len(names)} data objects appended to {out}")
PY
