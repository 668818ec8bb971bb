#include <algorithm>
#include <cctype>

#include "selfguard/checks.h"
#include "selfguard/finding.h"
#include "selfguard/resolve.h"
#include "shell/paths.h"

namespace preloop::selfguard {
namespace {

std::string string_field(const nlohmann::json& in, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (auto it = in.find(k); it != in.end() && it->is_string()) return it->get<std::string>();
  return "";
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

Finding key_read(const std::string& how) {
  return deny("self-protection.key",
              "Blocked: " + how + " the audit store's key, a credential of the audit trail. It is not needed for any "
              "task; `preloop-hook audit verify` checks the trail.");
}

// Path-like values of an MCP tool's input: keys naming paths, and arrays of them.
void collect_paths(const nlohmann::json& j, const std::string& key, int depth, std::vector<std::string>& out) {
  if (depth > 4 || out.size() >= 64) return;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) collect_paths(it.value(), lower(it.key()), depth + 1, out);
    return;
  }
  if (j.is_array()) {
    for (const auto& e : j) collect_paths(e, key, depth + 1, out);
    return;
  }
  if (!j.is_string()) return;
  bool content = key.find("content") != std::string::npos || key.find("text") != std::string::npos ||
                 key.find("data") != std::string::npos || key.find("body") != std::string::npos;
  bool path_key = false;
  for (const char* k : {"path", "file", "dir", "source", "src", "dest", "target", "folder", "location", "root", "cwd"})
    if (key.find(k) != std::string::npos) path_key = true;
  if (key == "from" || key == "to") path_key = true;
  const std::string& s = j.get_ref<const std::string&>();
  if ((path_key && !content) || (!content && !s.empty() && (s[0] == '/' || s[0] == '~'))) out.push_back(s);
}

bool read_only_mcp(const std::string& tool) {
  for (const char* p : {"read", "list", "get", "search", "find", "view", "stat", "directory_tree", "head", "tail"})
    if (tool.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace

bool search_reaches(const std::string& dir, const std::string& file, bool skips_hidden) {
  if (dir.empty() || file.empty() || !same_or_under(file, dir)) return false;
  if (file.size() == dir.size() || !skips_hidden) return true;
  std::string_view rest = std::string_view(file).substr(dir == "/" ? 1 : dir.size() + 1);
  std::size_t pos = 0;
  while (true) {
    std::size_t slash = rest.find('/', pos);
    if (slash == std::string_view::npos) return true;  // the last component is the file itself
    if (rest[pos] == '.') return false;
    pos = slash + 1;
  }
}

Finding check_file_tool(const protocol::HookEvent& ev, const Inputs& in, const ProtectedSet& set) {
  const std::string& tool = ev.tool_name;
  const auto& input = ev.tool_input;
  if (tool == "Write" || tool == "Edit" || tool == "MultiEdit" || tool == "NotebookEdit") {
    std::string p = string_field(input, {"file_path", "notebook_path", "path"});
    if (p.empty()) return {};
    Resolved r = set.resolve(p, ev.cwd, in.home);
    if (r.lexical.empty()) return {};
    if (const Protected* e = set.containing(r.lexical, r.real)) return deny("self-protection.write", blocked("edit changes", p, *e));
    if (const Protected* e = set.hard_link_to(r.real))
      return deny("self-protection.write", blocked("edit changes", p + " (a hard link)", *e));
    return {};
  }
  if (tool == "Read") {
    std::string p = string_field(input, {"file_path", "path"});
    Resolved r = set.resolve(p, ev.cwd, in.home);
    if (set.containing(r.lexical, r.real, true)) return key_read("Read of " + p + " reads");
    return {};
  }
  if (tool == "Grep" || tool == "Glob") {
    std::string p = string_field(input, {"path"});
    Resolved r = set.resolve(p.empty() ? std::string(".") : p, ev.cwd, in.home);
    if (r.lexical.empty()) return {};
    std::string pattern = tool == "Glob" ? string_field(input, {"pattern"}) : "";
    for (const auto& e : set.entries(true)) {
      if (!e.secret) continue;
      if (tool == "Grep" && (search_reaches(r.lexical, e.path, true) || search_reaches(r.real, e.real, true)))
        return key_read("Grep over " + (p.empty() ? ev.cwd : p) + " reads");
      if (tool == "Glob" && !pattern.empty()) {
        std::string abs = pattern[0] == '/' ? pattern : r.lexical + "/" + pattern;
        if (shell::glob_match(e.path, shell::normalize_path(abs, ""))) return key_read("this Glob names");
      }
    }
  }
  return {};
}

Finding check_mcp_tool(const protocol::HookEvent& ev, const Inputs& in, const ProtectedSet& set) {
  std::string name = ev.tool_name;
  std::size_t sep = name.find("__", 5);
  std::string tool = lower(sep == std::string::npos ? "" : name.substr(sep + 2));
  std::vector<std::string> paths;
  collect_paths(ev.tool_input, "", 0, paths);
  bool read_only = read_only_mcp(tool);
  bool moves = tool.find("move") != std::string::npos || tool.find("rename") != std::string::npos ||
               tool.find("delete") != std::string::npos || tool.find("remove") != std::string::npos;
  for (const auto& p : paths) {
    Resolved r = set.resolve(p, ev.cwd, in.home);
    if (r.lexical.empty()) continue;
    const Protected* e = set.containing(r.lexical, r.real, read_only);
    if (read_only) {
      if (e) return key_read(ev.tool_name + " on " + p + " reads");
      continue;
    }
    if (e) return deny("self-protection.write", blocked(ev.tool_name + " call changes", p, *e));
    if (moves)
      if (const Protected* b = set.below(r.lexical, r.real))
        return deny("self-protection.delete", blocked(ev.tool_name + " call moves or deletes", p, *b));
  }
  return {};
}

}  // namespace preloop::selfguard
