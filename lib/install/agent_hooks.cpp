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

HookLayout layout_of(const Format& f) {
  return HookLayout{f.events, f.groups, [&f](const Json& h) { return is_own(f, h); }};
}

// Our entry for each event, where ours was (else last); everything else kept.
void add_own(const Format& f, Json& doc, const HookSpec& spec) {
  put_handlers(doc, layout_of(f), [&](const std::string& event) {
    Json entry = handler_for(f, spec, event);
    return f.groups ? Json{{"matcher", "*"}, {"hooks", Json::array({entry})}} : entry;
  });
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
  for (FoundHandler& h : find_handlers(doc, layout_of(f)))
    found.push_back({h.event, h.group, h.index, h.handler, h.handler[f.command_key].get<std::string>()});
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
    change.removed = remove_handlers(json, layout_of(f));
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
