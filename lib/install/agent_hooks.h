// preloop-hook's entries in the hook files of the agents other than Claude
// Code (`install|uninstall|doctor --agent NAME`): where each agent reads its
// hooks per scope, the entries it gets, and adding, finding and removing
// exactly ours, leaving every other key and hook of those files as it was.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "install/hook_entries.h"
#include "install/installer.h"
#include "install/locations.h"

namespace preloop::install {

// The agents installed here (not Claude Code): gemini, qwen, codex, copilot, cursor.
bool is_agent_name(std::string_view agent);

struct AgentLocations {
  std::filesystem::path home;         // $HOME
  std::filesystem::path project;      // the project root (the working directory)
  std::filesystem::path system_root;  // "/" ($PRELOOP_HOOK_AGENT_SYSTEM_ROOT for tests): managed files below it
  std::filesystem::path codex_home;   // $CODEX_HOME, else ~/.codex
  std::filesystem::path copilot_home; // $COPILOT_HOME, else ~/.copilot
  static AgentLocations from_environment();
};

// The file holding the agent's hooks in a scope (user, project, managed);
// empty when the agent has no such scope (Copilot has no managed hooks, no
// agent has Claude Code's "local").
std::filesystem::path agent_hooks_file(std::string_view agent, Scope scope, const AgentLocations& where);

// The hook events preloop-hook is installed on, in the agent's names.
std::vector<std::string> agent_hook_events(std::string_view agent);

// The command an entry runs: `<binary> hook --agent NAME` (the binary quoted
// when needed), followed by `|| exit 2` for the agents that run it through a
// shell and would let a call through on any other failure (Gemini, Qwen, Codex).
std::string agent_hook_command(const std::filesystem::path& binary, std::string_view agent);

struct AgentHandler {
  std::string event;
  std::size_t group = 0, index = 0;   // positions (group is 0 where the format has no groups)
  Json handler;
  std::string command;                // the command line it runs
};

// Our entries in a hook document of the agent. Throws SettingsError naming the
// JSON path when its "hooks" block does not have the agent's documented shape.
std::vector<AgentHandler> find_agent_handlers(std::string_view agent, const Json& doc);

// Install and uninstall, as install_hooks and uninstall_hooks do for Claude
// Code: a backup before each write, nothing written when nothing changes, a
// malformed file never overwritten. Throws SettingsError.
SettingsChange install_agent_hooks(std::string_view agent, Scope scope, const AgentLocations& where,
                                   const HookSpec& spec, bool dry_run);
SettingsChange uninstall_agent_hooks(std::string_view agent, Scope scope, const AgentLocations& where, bool dry_run);

// Codex runs a hook of a user or project file only once the user has trusted
// it (/hooks in the TUI), recorded in ~/.codex/config.toml as
// [hooks.state."<file>:<event>:<group>:<index>"] trusted_hash = "...". The
// trusted hash of an entry, "" when none is recorded.
std::string codex_trusted_hash(const AgentLocations& where, const std::filesystem::path& hooks_file,
                               const std::string& event, std::size_t group, std::size_t index);

}  // namespace preloop::install
