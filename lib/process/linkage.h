// How the running program was linked, and what a statically linked one must
// not do: glibc loads NSS modules and libcurl with dlopen(), which in a
// static program maps a second libc beside the built-in one (a crash waiting
// to happen when their versions differ).
#pragma once

namespace preloop::process {

// True when the running program has no dynamic loader (linked with -static).
bool statically_linked();

// In a statically linked program, user and group lookups read /etc/passwd
// and /etc/group only, whatever nsswitch.conf names (sss, systemd, ldap would
// be dlopen()ed). A no-op in a dynamically linked one, and after the first
// call. Called before each lookup: reading nsswitch.conf is not free, and
// most hook calls look up no user.
void nss_files_only_if_static();

}  // namespace preloop::process
