#include "install/agent_hooks.h"

#include <cstdlib>
#include <fstream>
#include <cctype>


namespace preloop::install {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "the agent's hooks format";

// How one agent writes its hook entries.
struct Format {
  std::string_view agent;
  std::vector<std::string> events;  // installed on, in the agent's names
  bool groups;                      // hooks[event] = [{matcher, hooks: [handler]}]; else [handler]
  const char* command_key;          // the handler's command field
};

const Format kFormats[] = {
    {"gemini", {"BeforeTool", "AfterTool"}, true, "command"},
    {"qwen", {"PreToolUse", "PostToolUse"}, true, "command"},
    {"codex", {"PreToolUse", "PostToolUse"}, true, "command"},
    {"copilot", {"preToolUse", "postToolUse"}, false, "bash"},
    {"cursor", {"beforeShellExecution", "beforeMCPExecution", "beforeReadFile", "preToolUse", "postToolUse"}, false,
     "command"},
};

const Format& format_of(std::string_view agent) {
  for (const Format& f : kFormats)
    if (f.agent == agent) return f;
  throw SettingsError("unknown agent '" + std::string(agent) + "'");
}

bool is_pre(const std::string& event) { return event != "AfterTool" && event != "PostToolUse" && event != "postToolUse"; }

// The handler written for one event. Timeouts in the agent's unit: long
// enough for an approval round-trip before a tool runs.
Json handler_for(const Format& f, const HookSpec& spec, const std::string& event) {
  const int seconds = is_pre(event) ? spec.pre_timeout_seconds : spec.post_timeout_seconds;
  const std::string command = agent_hook_command(spec.binary, f.agent);
  Json h = Json::object();
  if (f.agent == "gemini" || f.agent == "qwen") {
    h["type"] = "command";
    h["name"] = "preloop-hook";
    h["command"] = command;
    h["timeout"] = seconds * 1000;  // milliseconds
  } else if (f.agent == "codex") {
    // No timeout key: Codex's default (600 s) covers the longest approval wait,
    // and a key it does not know would void the whole file.
    h["type"] = "command";
    h["command"] = command;
  } else if (f.agent == "copilot") {
    h["type"] = "command";
    h["bash"] = command;
    h["timeoutSec"] = seconds;
  } else {  // cursor
    h["command"] = command;
    h["timeout"] = seconds;
    h["failClosed"] = true;  // a crash, a timeout or no answer blocks
  }
  return h;
}

bool is_own(const Format& f, const Json& handler) {
  if (!handler.is_object()) return false;
  auto command = handler.find(f.command_key);
  if (command == handler.end() || !command->is_string()) return false;
  return is_own_handler(Json{{"type", "command"}, {"command", *command}});
}

std::string at(const std::string& event, std::size_t i = std::string::npos) {
  return "/hooks/" + event + (i == std::string::npos ? "" : "/" + std::to_string(i));
}

// hooks[event] after checking the document's shape; nullptr when absent.
const Json* event_list(const Format& f, const Json& doc, const std::string& event) {
  auto hooks = doc.find("hooks");
  if (hooks == doc.end()) return nullptr;
  if (!hooks->is_object()) throw SettingsError("/hooks: expected an object, found " + std::string(hooks->type_name()));
  auto list = hooks->find(event);
  if (list == hooks->end()) return nullptr;
  if (!list->is_array())
    throw SettingsError(at(event) + ": expected an array, found " + std::string(list->type_name()));
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& item = (*list)[i];
    if (!item.is_object())
      throw SettingsError(at(event, i) + ": expected an object, found " + std::string(item.type_name()));
    if (!f.groups) continue;
    auto inner = item.find("hooks");
    if (inner != item.end() && !inner->is_array())
      throw SettingsError(at(event, i) + "/hooks: expected an array, found " + std::string(inner->type_name()));
  }
  return &*list;
}

// Removes our handlers (and the groups, lists and "hooks" object emptied by
// it). Returns how many were removed.
std::size_t remove_own(const Format& f, Json& doc) {
  std::size_t removed = 0;
  for (const std::string& event : f.events) {
    if (!event_list(f, doc, event)) continue;
    Json& list = doc["hooks"][event];
    Json kept = Json::array();
    for (Json& item : list) {
      if (!f.groups) {
        if (is_own(f, item)) ++removed;
        else kept.push_back(item);
        continue;
      }
      auto inner = item.find("hooks");
      if (inner == item.end()) {
        kept.push_back(item);
        continue;
      }
      Json rest = Json::array();
      for (Json& h : *inner) {
        if (is_own(f, h)) ++removed;
        else rest.push_back(h);
      }
      const bool emptied = rest.empty() && !inner->empty();
      *inner = rest;
      if (!emptied) kept.push_back(item);
    }
    const bool emptied = kept.empty() && !list.empty();
    list = kept;
    if (emptied) doc["hooks"].erase(event);
  }
  if (removed > 0 && doc.contains("hooks") && doc["hooks"].empty()) doc.erase("hooks");
  return removed;
}

// Our entry for each event, where ours was (else last); everything else kept.
void add_own(const Format& f, Json& doc, const HookSpec& spec) {
  for (const std::string& event : f.events) event_list(f, doc, event);  // shape first, before any change
  for (const std::string& event : f.events) {
    std::size_t position = std::string::npos;
    if (const Json* list = event_list(f, doc, event)) {
      for (std::size_t i = 0; i < list->size() && position == std::string::npos; ++i) {
        const Json& item = (*list)[i];
        if (!f.groups) {
          if (is_own(f, item)) position = i;
          continue;
        }
        if (auto inner = item.find("hooks"); inner != item.end())
          for (const Json& h : *inner)
            if (is_own(f, h)) position = i;
      }
    }
    Json single = {{"hooks", Json::object()}};
    if (doc.contains("hooks") && doc["hooks"].contains(event)) single["hooks"][event] = doc["hooks"][event];
    Format one = f;
    one.events = {event};
    remove_own(one, single);
    Json list = single.contains("hooks") && single["hooks"].contains(event) ? single["hooks"][event] : Json::array();
    Json entry = handler_for(f, spec, event);
    if (f.groups) entry = Json{{"matcher", "*"}, {"hooks", Json::array({entry})}};
    if (position == std::string::npos || position > list.size()) position = list.size();
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(position), entry);
    if (!doc.contains("hooks")) doc["hooks"] = Json::object();
    doc["hooks"][event] = list;
  }
  // Copilot and Cursor files carry their format version.
  if ((f.agent == "copilot" || f.agent == "cursor") && !doc.contains("version")) {
    Json versioned = {{"version", 1}};
    for (auto& [key, value] : doc.items()) versioned[key] = value;
    doc = versioned;
  }
}

fs::path env_dir(const char* name, const fs::path& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? fs::path(v) : fallback;
}

fs::path scope_file(std::string_view agent, Scope scope, const AgentLocations& where) {
  if (scope == Scope::Local) return {};
  if (agent == "gemini") {
    if (scope == Scope::User) return where.home / ".gemini" / "settings.json";
    if (scope == Scope::Project) return where.project / ".gemini" / "settings.json";
    return where.system_root / "etc" / "gemini-cli" / "settings.json";
  }
  if (agent == "qwen") {
    if (scope == Scope::User) return where.home / ".qwen" / "settings.json";
    if (scope == Scope::Project) return where.project / ".qwen" / "settings.json";
    return where.system_root / "etc" / "qwen-code" / "settings.json";
  }
  if (agent == "codex") {
    if (scope == Scope::User) return where.codex_home / "hooks.json";
    if (scope == Scope::Project) return where.project / ".codex" / "hooks.json";
    return where.system_root / "etc" / "codex" / "hooks.json";  // beside the system config layer: managed, trusted
  }
  if (agent == "copilot") {
    if (scope == Scope::User) return where.copilot_home / "hooks" / "preloop-hook.json";
    if (scope == Scope::Project) return where.project / ".github" / "hooks" / "preloop-hook.json";
    return {};
  }
  if (scope == Scope::User) return where.home / ".cursor" / "hooks.json";
  if (scope == Scope::Project) return where.project / ".cursor" / "hooks.json";
  return where.system_root / "etc" / "cursor" / "hooks.json";
}

}  // namespace

bool is_agent_name(std::string_view agent) {
  for (const Format& f : kFormats)
    if (f.agent == agent) return true;
  return false;
}

AgentLocations AgentLocations::from_environment() {
  AgentLocations loc;
  const char* home = std::getenv("HOME");
  loc.home = home && *home ? fs::path(home) : fs::path("/");
  std::error_code ec;
  loc.project = fs::current_path(ec);
  loc.system_root = env_dir("PRELOOP_HOOK_AGENT_SYSTEM_ROOT", "/");
  loc.codex_home = env_dir("CODEX_HOME", loc.home / ".codex");
  loc.copilot_home = env_dir("COPILOT_HOME", loc.home / ".copilot");
  return loc;
}

fs::path agent_hooks_file(std::string_view agent, Scope scope, const AgentLocations& where) {
  format_of(agent);
  return scope_file(agent, scope, where);
}

std::vector<std::string> agent_hook_events(std::string_view agent) { return format_of(agent).events; }

std::string agent_hook_command(const fs::path& binary, std::string_view agent) {
  std::string path = binary.string();
  bool plain = !path.empty();
  for (char c : path) plain = plain && (std::isalnum(static_cast<unsigned char>(c)) || std::string_view("/._-+").find(c) != std::string_view::npos);
  if (!plain) {
    std::string quoted = "'";
    for (char c : path) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    path = quoted + "'";
  }
  std::string command = path + " hook --agent " + std::string(agent);
  // Gemini, Qwen and Codex run the command through a shell and let the call
  // through when it exits with anything but 0 or 2 (a missing binary: 127, a
  // crash: 128+signal). Exit 2 blocks in all three.
  if (agent == "gemini" || agent == "qwen" || agent == "codex") command += " || exit 2";
  return command;
}

std::vector<AgentHandler> find_agent_handlers(std::string_view agent, const Json& doc) {
  const Format& f = format_of(agent);
  std::vector<AgentHandler> found;
  for (const std::string& event : f.events) {
    const Json* list = event_list(f, doc, event);
    if (!list) continue;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json& item = (*list)[i];
      if (!f.groups) {
        if (is_own(f, item)) found.push_back({event, i, 0, item, item[f.command_key].get<std::string>()});
        continue;
      }
      auto inner = item.find("hooks");
      if (inner == item.end()) continue;
      for (std::size_t h = 0; h < inner->size(); ++h)
        if (is_own(f, (*inner)[h]))
          found.push_back({event, i, h, (*inner)[h], (*inner)[h][f.command_key].get<std::string>()});
    }
  }
  return found;
}

SettingsChange install_agent_hooks(std::string_view agent, Scope scope, const AgentLocations& where,
                                   const HookSpec& spec, bool dry_run) {
  const Format& f = format_of(agent);
  const fs::path file = scope_file(agent, scope, where);
  if (file.empty())
    throw SettingsError(std::string(agent) + " has no " + scope_name(scope) + " hooks location");
  HookSpec wanted = spec;
  if (scope == Scope::Project) wanted.binary = kCommandOnPath;  // shared with teammates: no path of this machine
  return edit_settings(file, backup_dir_for(scope), dry_run, kFormat, [&](Json& json, SettingsChange& change) {
    const Json before = json;
    add_own(f, json, wanted);
    change.changed = json != before;
  });
}

SettingsChange uninstall_agent_hooks(std::string_view agent, Scope scope, const AgentLocations& where, bool dry_run) {
  const Format& f = format_of(agent);
  const fs::path file = scope_file(agent, scope, where);
  if (file.empty())
    throw SettingsError(std::string(agent) + " has no " + scope_name(scope) + " hooks location");
  return edit_settings(file, backup_dir_for(scope), dry_run, kFormat, [&](Json& json, SettingsChange& change) {
    change.removed = remove_own(f, json);
    change.changed = change.removed > 0;
  });
}

std::string codex_trusted_hash(const AgentLocations& where, const fs::path& hooks_file, const std::string& event,
                               std::size_t group, std::size_t index) {
  std::ifstream in(where.codex_home / "config.toml");
  if (!in) return "";
  // Codex's key names the event in snake case.
  const std::string label = event == "PreToolUse" ? "pre_tool_use" : event == "PostToolUse" ? "post_tool_use" : event;
  const std::string key = hooks_file.string() + ":" + label + ":" + std::to_string(group) + ":" + std::to_string(index);
  auto names_key = [&](const std::string& text) {
    // "file:/path/hooks.json:pre_tool_use:0:0" or "/path/hooks.json:pre_tool_use:0:0", quoted.
    return text.find("\"" + key + "\"") != std::string::npos || text.find("\"file:" + key + "\"") != std::string::npos;
  };
  auto hash_in = [](const std::string& text) -> std::string {
    auto at = text.find("trusted_hash");
    if (at == std::string::npos) return "";
    auto open = text.find('"', at);
    auto close = open == std::string::npos ? open : text.find('"', open + 1);
    return close == std::string::npos ? "" : text.substr(open + 1, close - open - 1);
  };
  std::string line, table;
  bool in_state = false, in_ours = false;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    if (line[first] == '[') {
      table = line.substr(first);
      in_state = table.rfind("[hooks.state]", 0) == 0;
      in_ours = table.rfind("[hooks.state.", 0) == 0 && names_key(table);
      continue;
    }
    if (in_ours) {
      if (line.compare(first, 12, "trusted_hash") == 0) return hash_in(line);
    } else if (in_state && names_key(line.substr(0, line.find('=')))) {
      return hash_in(line);  // "key" = { trusted_hash = "..." }
    }
  }
  return "";
}

}  // namespace preloop::install
