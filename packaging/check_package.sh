#!/bin/sh
# Builds the .deb with CPack from a configured and built tree and checks what
# is in it: the binary and its version, the man page generated from --help,
# the Claude Code plugin (with its bin/ symlink) and the settings snippet.
#   check_package.sh BUILD_DIR VERSION
set -eu
build=$1 version=$2
for tool in cpack dpkg-deb; do
  command -v "$tool" >/dev/null 2>&1 || { echo "SKIPPED: $tool not installed"; exit 77; }
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log"; fail "cpack failed"; }
deb=$(ls "$out"/preloop-hook_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no .deb produced in $out"
echo "built $(basename "$deb") ($(wc -c <"$deb") bytes)"

[ "$(dpkg-deb -f "$deb" Package)" = preloop-hook ] || fail "wrong Package field"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version is $(dpkg-deb -f "$deb" Version), expected $version"
dpkg-deb -f "$deb" Depends | grep -q libc6 || fail "Depends lacks libc6 (shlibdeps did not run?)"

dpkg-deb -c "$deb" >"$out/contents"
for path in ./usr/bin/preloop-hook ./usr/share/man/man1/preloop-hook.1.gz \
            ./usr/share/preloop-hook/settings-snippet.json \
            ./usr/share/preloop-hook/claude-plugin/.claude-plugin/plugin.json \
            ./usr/share/preloop-hook/claude-plugin/hooks/hooks.json; do
  grep -q " $path\$" "$out/contents" || fail "$path missing from the package"
done
grep -q ' ./usr/share/preloop-hook/claude-plugin/bin/preloop-hook -> ../../../../bin/preloop-hook$' "$out/contents" ||
  fail "plugin bin/preloop-hook is not a symlink to /usr/bin/preloop-hook"
if grep '\.yaml$' "$out/contents" | grep -qv '/doc/'; then fail "rule packs shipped as files"; fi

root="$out/root"
dpkg-deb -x "$deb" "$root"
case "$("$root/usr/bin/preloop-hook" --version)" in "preloop-hook $version (commit "*")") ;; *) fail "--version does not print $version and the commit" ;; esac
[ -x "$(readlink -f "$root/usr/share/preloop-hook/claude-plugin/bin/preloop-hook")" ] || fail "plugin symlink dangles"
zcat "$root/usr/share/man/man1/preloop-hook.1.gz" >"$out/man"
grep -q '^\.TH PRELOOP-HOOK 1 ' "$out/man" || fail "man page has no .TH header"
for cmd in install uninstall doctor hook; do
  grep -q "^\.SS $cmd\$" "$out/man" || fail "man page lacks the '$cmd' command"
done
grep -q 'scope' "$out/man" || fail "man page lacks install's options"
echo "package OK"
