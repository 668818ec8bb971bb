// An agent's tool names and argument names mapped to Claude Code's (and back,
// for a replacement input), so that policies written for Bash, Write, Edit,
// Read, WebFetch and mcp__server__tool apply to every agent.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "protocol/event.h"

namespace preloop::agents {

struct ArgName {
  std::string_view native;
  std::string_view claude;
};

struct ToolMapping {
  std::string_view native;  // the agent's tool name
  std::string_view claude;  // Claude Code's
  ArgName args[3] = {};     // arguments named differently (empty entries end the list)
};

// Renames ev.tool_name and the arguments of ev.tool_input per the table,
// keeping the agent's name in ev.native_tool_name. A tool not in the table
// keeps its name. Throws protocol::ProtocolError when an input carries an
// argument under both names with different values (the policy would check
// one, the tool might use the other).
void map_to_claude(std::span<const ToolMapping> table, protocol::HookEvent& ev);

// A replacement input in Claude Code's names, renamed back to the agent's
// names of ev.native_tool_name.
nlohmann::json map_to_native(std::span<const ToolMapping> table, const protocol::HookEvent& ev,
                             const nlohmann::json& claude_input);

// "mcp__<server>__<tool>", Claude Code's name of an MCP tool.
std::string mcp_tool_name(std::string_view server, std::string_view tool);

// A string field of an object ("" when absent or null); throws
// protocol::ProtocolError naming the field when it is not a string.
std::string string_field(const nlohmann::json& j, const char* key);

// The input's tool_input (or `key`): an object, required before a tool runs.
// Throws protocol::ProtocolError otherwise.
nlohmann::json object_field(nlohmann::json& j, const char* key, bool required);

// The text the model reads of a tool result: Gemini's and Qwen's llmContent
// (a string or text parts), a string as it is, anything else as JSON text.
std::string tool_result_text(const nlohmann::json& output);

// j[key] as an object, also when the agent sends it as the text of a JSON
// object (Copilot's toolArgs, Cursor's MCP tool_input); {} for blank text.
// Throws protocol::ProtocolError when it is neither, or (required) absent.
nlohmann::json object_or_json_text(nlohmann::json& j, const char* key, bool required);

// A reply's JSON text: compact, invalid UTF-8 replaced, newline-terminated.
std::string json_line(const nlohmann::json& j);

}  // namespace preloop::agents
