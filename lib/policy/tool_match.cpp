#include "policy/tool_match.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace preloop::policy {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return std::tolower(x) == std::tolower(y); });
}

const std::map<std::string, std::vector<std::string>, std::less<>>& groups() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> g = {
      {"@file_write", {"Write", "Edit", "MultiEdit", "NotebookEdit"}},
      {"@file_read", {"Read", "Grep", "Glob", "NotebookRead"}},
      {"@shell", {"Bash", "PowerShell"}},
      {"@web", {"WebFetch", "WebSearch"}},
  };
  return g;
}

const std::map<std::string, std::vector<std::string>, std::less<>>& native_tools() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> t = {
      {"bash", {"command", "description", "timeout", "run_in_background", "dangerouslyDisableSandbox"}},
      {"powershell", {"command", "description", "timeout", "run_in_background"}},
      {"write", {"file_path", "content"}},
      {"edit", {"file_path", "old_string", "new_string", "replace_all"}},
      {"multiedit", {"file_path", "edits"}},
      {"read", {"file_path", "offset", "limit", "pages"}},
      {"glob", {"pattern", "path"}},
      {"grep", {"pattern", "path", "glob", "type", "output_mode", "-i", "-o", "-n", "-B", "-A", "-C", "context",
                "head_limit", "offset", "multiline"}},
      {"webfetch", {"url", "prompt"}},
      {"websearch", {"query", "allowed_domains", "blocked_domains"}},
      {"notebookedit", {"notebook_path", "cell_id", "new_source", "cell_type", "edit_mode"}},
      {"notebookread", {"notebook_path", "cell_id"}},
      {"agent", {"description", "prompt", "subagent_type", "model", "run_in_background", "name", "isolation"}},
      {"task", {"description", "prompt", "subagent_type"}},
      {"todowrite", {"todos"}},
      {"askuserquestion", {"questions", "answers"}},
      {"exitplanmode", {"plan", "planFilePath"}},
      {"skill", {}}, {"lsp", {}}, {"monitor", {"command"}}, {"taskcreate", {}}, {"taskupdate", {}},
      {"taskoutput", {}}, {"taskstop", {}}, {"enterplanmode", {}}, {"enterworktree", {}}, {"exitworktree", {}},
      {"toolsearch", {}}, {"listmcpresourcestool", {}}, {"readmcpresourcetool", {}}, {"sendmessage", {}},
  };
  return t;
}

bool native_source(std::string_view s) {
  return s.empty() || iequals(s, "builtin") || iequals(s, "claude_code") || iequals(s, "agent");
}

bool name_matches(std::string_view pattern, std::string_view name) {
  if (!pattern.empty() && pattern[0] == '@') {
    for (const auto& m : group_members(pattern))
      if (iequals(m, name)) return true;
    return false;
  }
  return glob_match_icase(pattern, name);
}

}  // namespace

ToolName ToolName::parse(std::string_view name) {
  ToolName t;
  t.name = std::string(name);
  if (name.rfind("mcp__", 0) == 0) {
    auto rest = name.substr(5);
    auto sep = rest.find("__");
    if (sep != std::string_view::npos && sep > 0) {
      t.is_mcp = true;
      t.server = std::string(rest.substr(0, sep));
      t.mcp_tool = std::string(rest.substr(sep + 2));
    }
  }
  return t;
}

bool glob_match_icase(std::string_view p, std::string_view s) {
  // Iterative wildcard match with single backtrack point: linear-ish, no recursion.
  std::size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
  while (si < s.size()) {
    if (pi < p.size() && (p[pi] == '?' || std::tolower(p[pi]) == std::tolower(s[si]))) {
      ++pi;
      ++si;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      mark = si;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::vector<std::string> group_members(std::string_view group) {
  auto it = groups().find(group);
  return it == groups().end() ? std::vector<std::string>{} : it->second;
}

bool tool_matches(const std::vector<std::string>& names, std::string_view source, const ToolName& tool) {
  for (const auto& n : names) {
    if (!tool.is_mcp) {
      if (native_source(source) && name_matches(n, tool.name)) return true;
      continue;
    }
    // MCP: the full name always identifies the tool, whatever the source.
    if (name_matches(n, tool.name)) return true;
    if ((iequals(source, "mcp") || iequals(source, tool.server)) && name_matches(n, tool.mcp_tool)) return true;
  }
  return false;
}

bool is_known_tool_pattern(std::string_view name) {
  if (name.empty()) return false;
  if (name[0] == '@') return groups().count(name) > 0;
  if (name.find_first_of("*?") != std::string_view::npos) return true;
  if (name.rfind("mcp__", 0) == 0) return true;
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return native_tools().count(lower) > 0;
}

std::vector<std::string> known_input_fields(std::string_view tool) {
  std::string lower(tool);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto it = native_tools().find(lower);
  if (it == native_tools().end() || it->second.empty()) return {};
  auto f = it->second;
  f.push_back("cwd");
  f.push_back("path");
  return f;
}

}  // namespace preloop::policy
