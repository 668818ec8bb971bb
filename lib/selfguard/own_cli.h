// The guard's own command line run by the agent: the subcommands that switch
// it off or weaken it (uninstall, install, audit prune, sync pointed
// elsewhere, any run with its locations overridden) are denied.
#pragma once

#include <string>

#include "selfguard/guard.h"
#include "shell/analyze.h"

namespace preloop::selfguard {

// `c` runs preloop-hook: by name, or its word resolves to the running binary.
bool runs_preloop_hook(const shell::Command& c, const ProtectedSet& set);

// A deny for a weakening run of preloop-hook; none for read-only ones
// (doctor, test, rules, audit list/show/verify/stats/export to stdout, --help).
// `command_text` is the whole command line (for environment assignments).
Finding check_own_cli(const shell::Command& c, const std::string& command_text);

// The run only reads (its words may then name protected files).
bool own_cli_read_only(const shell::Command& c);

}  // namespace preloop::selfguard
