# Sourced by the whole-process benchmarks (with $here set to tests/bench): a
# work directory removed on exit, a C hello-world (the floor) and spawn_bench
# built in it, and a sandboxed home, XDG directories and managed directory
# whose user rules are the guide's policies, as a user would load them.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n' > "$work/hello.c"
cc -O2 -o "$work/hello" "$work/hello.c"
cc -O2 -o "$work/spawn_bench" "$here/spawn_bench.c"

export HOME="$work/home" XDG_CONFIG_HOME="$work/cfg" XDG_DATA_HOME="$work/data" PRELOOP_HOOK_MANAGED_DIR="$work/managed"
unset CLAUDE_PROJECT_DIR PRELOOP_URL PRELOOP_API_KEY PRELOOP_HOOK_AUDIT_DB
mkdir -p "$HOME/project" "$XDG_CONFIG_HOME/preloop-hook/rules"
cp "$here/../../rules/examples/"{block-destructive,medium-security,protect-sensitive-files,deployment-safeguards}.yaml \
  "$XDG_CONFIG_HOME/preloop-hook/rules/"
