// Claude Code's own command line run by the agent: subcommands that change
// its settings (config, mcp, plugin changes) and nested sessions started with
// weaker permissions or other settings are denied.
#pragma once

#include "selfguard/guard.h"
#include "shell/analyze.h"

namespace preloop::selfguard {

Finding check_claude_cli(const shell::Command& c);

}  // namespace preloop::selfguard
