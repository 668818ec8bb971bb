// One adapter per agent CLI: its hook input read into the common event (the
// event model of lib/protocol, in Claude Code's vocabulary, so that the same
// policies apply), and the guard's answer written in the agent's own format.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "policy/decision.h"
#include "protocol/event.h"
#include "protocol/response.h"

namespace preloop::agents {

struct Adapter {
  const char* name;        // the value of `preloop-hook hook --agent NAME`
  const char* audit_name;  // the audit's agent column: "claude_code", "gemini_cli", ...
  // The event, tool names and arguments mapped to Claude Code's. Throws
  // protocol::ProtocolError with a specific message.
  protocol::HookEvent (*parse)(std::string_view text);
  // What can be told of an input that does not parse (its kind and tool), so
  // that the answer has the event's shape.
  protocol::HookEvent (*sniff)(std::string_view text);
  // A tool call's answer: the decision, a replacement input in Claude Code's
  // vocabulary (null: none) and a note for the model ("" : none).
  protocol::Reply (*pre_reply)(const protocol::HookEvent& ev, const Decision& d, const nlohmann::json& updated_input,
                               const std::string& additional_context);
  // A tool result's answer: a replacement of ev.tool_response in its own
  // shape (null: none) and a note for the model.
  protocol::Reply (*post_reply)(const protocol::HookEvent& ev, const nlohmann::json& updated_output,
                                const std::string& additional_context);
};

// Claude Code: lib/protocol as it is.
const Adapter& claude_code();

// The adapter for an --agent name ("claude", "gemini", "qwen", "codex",
// "copilot", "cursor"); nullptr for any other name.
const Adapter* find_adapter(std::string_view name);

// The accepted names, comma separated, for messages.
std::string adapter_names();

}  // namespace preloop::agents
