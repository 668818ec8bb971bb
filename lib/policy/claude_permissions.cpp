#include "policy/claude_permissions.h"

#include <nlohmann/json.hpp>

#include "config/paths.h"

namespace preloop::policy {
namespace {

// A CEL string literal (single-quoted).
std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// A gitignore-style glob as a regex body: ** any path, * within one segment, ? one character.
std::string glob_regex(std::string_view g) {
  std::string out;
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (g[i] == '*' && i + 1 < g.size() && g[i + 1] == '*') {
      out += ".*";
      ++i;
      if (i + 1 < g.size() && g[i + 1] == '/') ++i;  // **/ also matches no directory
    } else if (g[i] == '*') {
      out += "[^/]*";
    } else if (g[i] == '?') {
      out += "[^/]";
    } else {
      out += regex_escape(g.substr(i, 1));
    }
  }
  return out;
}

std::string path_expression(const std::string& spec, const std::filesystem::path& project_root) {
  std::string re;
  if (spec.rfind("//", 0) == 0) re = "^" + glob_regex(spec.substr(1));
  else if (spec.rfind("~/", 0) == 0) re = "^" + regex_escape(paths::home_dir().string()) + glob_regex(spec.substr(1));
  else if (spec.rfind("/", 0) == 0) re = "^" + regex_escape(project_root.string()) + glob_regex(spec);
  else re = "(^|/)" + glob_regex(spec.rfind("./", 0) == 0 ? spec.substr(2) : spec);
  return "has(args.path) && args.path.matches(" + quote(re + "$") + ")";
}

// The condition for one rule's specifier, or empty with *why set.
std::string condition_for(const std::string& tool, const std::string& spec, const std::filesystem::path& project_root,
                          std::string* why) {
  if (tool == "Bash") {
    std::string re;
    if (spec.size() >= 2 && spec.compare(spec.size() - 2, 2, ":*") == 0)
      re = "^" + regex_escape(spec.substr(0, spec.size() - 2)) + "( .*)?$";
    else {
      re = "^";
      for (char c : spec) re += c == '*' ? std::string(".*") : regex_escape(std::string(1, c));
      re += "$";
    }
    return "args.command.matches(" + quote(re) + ")";
  }
  if (tool == "Read" || tool == "Edit" || tool == "Write") return path_expression(spec, project_root);
  if (tool == "WebFetch" && spec.rfind("domain:", 0) == 0)
    return "has(args.url) && args.url.matches(" +
           quote("^[a-zA-Z]+://([^/@]*@)?([^/]*\\.)?" + regex_escape(spec.substr(7)) + "([:/?#]|$)") + ")";
  *why = "no translation for " + tool + "(" + spec + ")";
  return "";
}

// The tools a rule's tool name stands for.
std::vector<std::string> tools_for(const std::string& tool) {
  if (tool == "Edit" || tool == "Write") return {"Edit", "Write", "MultiEdit", "NotebookEdit"};
  if (tool == "Read") return {"Read", "Grep", "Glob"};
  if (tool.rfind("mcp__", 0) == 0 && tool.find("__", 5) == std::string::npos) return {tool + "__*"};  // a server
  return {tool};
}

}  // namespace

Document claude_permissions_document(std::string_view text, const std::string& file,
                                     const std::filesystem::path& project_root, std::vector<Diagnostic>& diags) {
  Document d;
  d.file = file;
  d.name = "claude-permissions";
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    diags.push_back({Diagnostic::Severity::Error, {file, 1, 1}, "Claude Code settings file is not a JSON object", {}});
    return d;
  }
  auto perms = j.find("permissions");
  if (perms == j.end() || !perms->is_object()) return d;
  // deny first, then ask, then allow: within one document the first match wins,
  // and Claude Code's own order is deny > ask > allow.
  for (const auto& [key, action] : {std::pair<const char*, Action>{"deny", Action::Deny},
                                    {"ask", Action::RequireApproval},
                                    {"allow", Action::Allow}}) {
    auto list = perms->find(key);
    if (list == perms->end()) continue;
    if (!list->is_array()) {
      diags.push_back({Diagnostic::Severity::Error, {file, 1, 1}, std::string("permissions.") + key + " must be a list", {}});
      continue;
    }
    int index = 0;
    for (const auto& e : *list) {
      ++index;
      const SourceLoc loc{file, 1, index};  // JSON has no marks here: column = position in the list
      if (!e.is_string()) {
        diags.push_back({Diagnostic::Severity::Error, loc, std::string("permissions.") + key + " entries must be strings", {}});
        continue;
      }
      const std::string rule = e.get<std::string>();
      std::string tool = rule, spec;
      if (auto open = rule.find('('); open != std::string::npos && rule.back() == ')') {
        tool = rule.substr(0, open);
        spec = rule.substr(open + 1, rule.size() - open - 2);
      }
      std::string why;
      std::string expr = spec.empty() || spec == "*" ? "true" : condition_for(tool, spec, project_root, &why);
      if (expr.empty() || tool.empty()) {
        diags.push_back({Diagnostic::Severity::Warning, loc,
                         std::string("permissions.") + key + " '" + rule + "' is left out: " +
                             (why.empty() ? "no tool name" : why), {}});
        continue;
      }
      ToolRule t;
      t.names = tools_for(tool);
      t.loc = loc;
      Condition c;
      c.id = std::string("claude.") + key + ":" + rule;
      c.expression = expr;
      c.type = ConditionType::Cel;
      c.action = action;
      c.description = std::string("Claude Code permissions.") + key + " rule " + rule + " in " + file;
      c.loc = c.expr_loc = loc;
      t.conditions.push_back(std::move(c));
      d.tools.push_back(std::move(t));
    }
  }
  return d;
}

}  // namespace preloop::policy
