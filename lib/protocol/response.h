// Writing the hook's answer in Claude Code's protocol.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "policy/decision.h"

namespace preloop::protocol {

// What the process prints and how it exits.
struct Reply {
  int exit_code = 0;
  std::string stdout_text;   // JSON or empty
  std::string stderr_text;
};

// PreToolUse: deny -> exit 2 + deny JSON + reason on stderr (blocks on every
// client version); ask/allow -> exit 0 + permissionDecision JSON; none -> exit 0, no output.
// updated_input (if not null) is attached as updatedInput for allow/ask;
// additional_context (a note for the model) as additionalContext.
Reply pre_tool_use_reply(const Decision& d, const nlohmann::json& updated_input = nullptr,
                         const std::string& additional_context = "");

// PreSkillShellCommand: as a PreToolUse answer in that event's shape, never
// with updatedInput (any value there keeps the line from running; a masked
// line is asked about instead).
Reply skill_shell_reply(const Decision& d);

// PostToolUse: updatedToolOutput when masked output is given, else no output.
Reply post_tool_use_reply(const nlohmann::json& updated_tool_output, const std::string& additional_context = "");

}  // namespace preloop::protocol
