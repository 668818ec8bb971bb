// Which policy tool entries apply to a Claude Code tool call.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace preloop::policy {

// A tool name split into its parts: "mcp__github__create_issue" has
// server "github" and mcp_tool "create_issue".
struct ToolName {
  std::string name;
  bool is_mcp = false;
  std::string server;
  std::string mcp_tool;
  static ToolName parse(std::string_view name);
};

// True when an entry with these names and source applies to the tool.
// Names match case-insensitively; `*`/`?` globs; "@file_write" is Write,
// Edit, MultiEdit and NotebookEdit; "@file_read" is Read, Grep, Glob and
// NotebookRead; "@shell" is Bash and PowerShell; "@web" is WebFetch and WebSearch.
// Native tools match sources builtin, claude_code, agent (and an empty source);
// MCP tools match their full name, or their tool part when the source is
// "mcp" or the server's name.
bool tool_matches(const std::vector<std::string>& names, std::string_view source, const ToolName& tool);

bool glob_match_icase(std::string_view pattern, std::string_view text);

// Built-in Claude Code tool names, for validation warnings.
bool is_known_tool_pattern(std::string_view name);
// Members of a group name ("@file_write" ...); empty when not a group.
std::vector<std::string> group_members(std::string_view group);

// Fields a native tool's input has (plus "cwd" and "path"); empty = unknown tool.
std::vector<std::string> known_input_fields(std::string_view tool);

}  // namespace preloop::policy
