// preloop-hook's entries in the "hooks" block of a Claude Code settings
// document: add them (idempotently), find them, remove exactly them.
//
// An entry is ours when it is a command handler running `preloop-hook hook`
// (the program named preloop-hook or preloop-hook-<suffix>):
// exec form {"command": ".../preloop-hook", "args": ["hook", ...]} or shell
// form {"command": ".../preloop-hook hook ..."}.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "install/settings_file.h"

namespace preloop::install {

// The events preloop-hook is installed on: the tool calls it gates, changes
// to Claude Code's settings (which it may block), instruction files loaded
// into the model's context (recorded), skill shell lines (gated like Bash),
// prompts (recorded, may be blocked) and the session's course (recorded).
inline constexpr const char* kHookEvents[] = {"PreToolUse",   "PostToolUse",      "ConfigChange",
                                              "InstructionsLoaded", "PreSkillShellCommand", "UserPromptSubmit",
                                              "SessionStart", "SessionEnd",       "Stop",
                                              "SubagentStart", "SubagentStop"};

// Whether "onFailure": "block" belongs on the event's handler (events that can block).
bool blocks_on_failure(const std::string& event);

struct HookSpec {
  std::filesystem::path binary;   // absolute path of preloop-hook, or a name found on PATH
  int pre_timeout_seconds = 330;  // covers the longest approval wait
  int post_timeout_seconds = 60;  // output masking only
  int other_timeout_seconds = 30; // the other events: a file read and a record
};

// The spinner text Claude Code shows while the handler runs ("waiting for
// approval" rather than a generic spinner while a human decides).
std::string status_message(const std::string& event);

// The first executable `name` in the absolute directories of $PATH, as
// Claude Code resolves an exec-form command; empty when there is none.
std::filesystem::path find_on_path(const std::string& name);

// The handler written for one event.
Json hook_handler(const HookSpec& spec, const std::string& event);

// Whether a handler object runs `preloop-hook hook`.
bool is_own_handler(const Json& handler);

struct FoundHandler {
  std::string event;
  std::string matcher;         // "" when the group has none (matches all tools)
  std::size_t group = 0;       // index in hooks[event]
  std::size_t index = 0;       // index in the group's "hooks"
  Json handler;
};

// Our handlers in a settings document. Throws SettingsError (naming the JSON
// path) when the "hooks" block does not have the documented shape.
std::vector<FoundHandler> find_own_handlers(const Json& settings);

// Makes the document hold exactly one group {"matcher": "*", "hooks": [ours]}
// per event, in place of any earlier entries of ours; everything else is left
// untouched. Returns whether the document changed.
bool add_own_handlers(Json& settings, const HookSpec& spec);

// Removes our handlers, and the groups, event lists and "hooks" object that
// become empty by it (never ones that were empty already). Returns how many
// handlers were removed.
std::size_t remove_own_handlers(Json& settings);

// Whether a matcher string matches every tool name.
bool matches_all_tools(const std::string& matcher);

}  // namespace preloop::install
