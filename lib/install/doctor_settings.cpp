// Doctor checks on Claude Code's settings files.
#include <cstdlib>
#include <string>
#include <vector>

#include "install/doctor.h"
#include "install/hook_entries.h"
#include "install/settings_file.h"
#include "process/executable.h"

namespace preloop::install {

namespace fs = std::filesystem;

namespace {

struct Source {
  std::string label;  // "user", "project", "local", "managed"
  fs::path path;
  Json json;
};

// The settings files that exist and parse, lowest precedence first; parse
// errors become results.
std::vector<Source> load_sources(const DoctorContext& ctx, std::vector<CheckResult>& out) {
  std::vector<Source> sources;
  for (const auto& [label, path] : ctx.claude.all_settings_files()) {
    try {
      SettingsFile file = read_settings(path);
      if (file.exists) sources.push_back({label, path, file.json});
    } catch (const SettingsError& e) {
      out.push_back({"settings.parse", CheckStatus::Fail, e.what(),
                     "correct the JSON at that line and column: Claude Code cannot use a malformed settings file, "
                     "and `preloop-hook install` will not edit it"});
    }
  }
  return sources;
}

// The program a handler runs and whether it is named by an absolute path.
std::string handler_program(const Json& handler) {
  std::string command = handler.value("command", "");
  if (handler.contains("args")) return command;
  // Shell form: the first word, unquoted.
  std::string word;
  char quote = 0;
  for (char c : command) {
    if (quote) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ' ' || c == '\t') {
      if (!word.empty()) break;
    } else {
      word += c;
    }
  }
  return word;
}

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return !a.empty() && !b.empty() && fs::equivalent(a, b, ec);
}

// True when the value is true, or (for arrays) holds `item`.
bool flag_set(const Json& settings, const char* key, const char* item = nullptr) {
  auto it = settings.find(key);
  if (it == settings.end()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (item && it->is_array())
    for (const auto& v : *it)
      if (v == item) return true;
  return false;
}

bool plugin_enabled(const std::vector<Source>& sources) {
  for (const auto& s : sources) {
    auto plugins = s.json.find("enabledPlugins");
    if (plugins == s.json.end() || !plugins->is_object()) continue;
    for (auto it = plugins->begin(); it != plugins->end(); ++it)
      if (it.key().rfind("preloop-hook@", 0) == 0 && it.value() == true) return true;
  }
  return false;
}

struct Entry {
  const Source* source;
  FoundHandler found;
};

void check_handler(const DoctorContext& ctx, const Entry& e, std::vector<CheckResult>& out) {
  const Json& h = e.found.handler;
  std::string where = e.found.event + " entry in " + e.source->path.string();
  std::string program = handler_program(h);
  const bool on_path = !program.empty() && program.find('/') == std::string::npos;
  const fs::path found = on_path ? find_on_path(program) : fs::path();
  if (on_path && found.empty()) {
    out.push_back({"hook.binary", CheckStatus::Fail, where + " runs '" + program + "', which is not on PATH",
                   "install preloop-hook on PATH (the .deb puts it in /usr/bin), or run `preloop-hook install` "
                   "for an absolute path"});
  } else if (on_path && !ctx.self_binary.empty() && !same_file(found, ctx.self_binary)) {
    out.push_back({"hook.binary", CheckStatus::Warn,
                   where + " runs '" + program + "', found on PATH at " + found.string() + ", not this preloop-hook (" +
                       ctx.self_binary.string() + ")",
                   "put the preloop-hook you mean to use first on PATH"});
  } else if (on_path) {
    out.push_back({"hook.binary", CheckStatus::Ok, where + " runs '" + program + "' from PATH (" + found.string() + ")", ""});
  } else if (program.empty() || program.front() != '/') {
    out.push_back({"hook.binary", CheckStatus::Warn, where + " runs '" + program + "', a path relative to the working directory",
                   "run `preloop-hook install` to write the absolute path"});
  } else if (!process::executable_file(program)) {
    out.push_back({"hook.binary", CheckStatus::Fail,
                   where + " runs " + program + ", which does not exist or is not executable",
                   "run `preloop-hook install` with the binary you want to use, or fix the path"});
  } else if (!ctx.self_binary.empty() && !same_file(program, ctx.self_binary)) {
    out.push_back({"hook.binary", CheckStatus::Warn,
                   where + " runs " + program + ", not this preloop-hook (" + ctx.self_binary.string() + ")",
                   "run `preloop-hook install` from the binary you mean to use"});
  } else {
    out.push_back({"hook.binary", CheckStatus::Ok, where + " runs " + program, ""});
  }

  if (e.found.event == "PreToolUse" && !matches_all_tools(e.found.matcher)) {
    out.push_back({"hook.matcher", CheckStatus::Warn,
                   where + " only gates tools matching '" + e.found.matcher + "'",
                   "use the matcher \"*\" (run `preloop-hook install`) so every tool call is checked"});
  }
  if (blocks_on_failure(e.found.event) && h.value("onFailure", "") != "block") {
    out.push_back({"hook.on_failure", CheckStatus::Warn,
                   where + " lacks \"onFailure\": \"block\": if the hook crashes, is missing or times out, "
                           "Claude Code lets the call through",
                   "run `preloop-hook install` (needs Claude Code 2.1.295 or later)"});
  }
  if (e.found.event == "PreToolUse") {
    int timeout = h.contains("timeout") && h["timeout"].is_number() ? h["timeout"].get<int>() : 600;
    if (!ctx.config) {
      out.push_back({"hook.timeout", CheckStatus::Skip, "config did not load; timeout not compared", ""});
    } else if (timeout < ctx.config->hook_timeout_seconds) {
      out.push_back({"hook.timeout", CheckStatus::Fail,
                     where + " has timeout " + std::to_string(timeout) + " s but preloop-hook may take up to " +
                         std::to_string(ctx.config->hook_timeout_seconds) +
                         " s (hook_timeout_seconds): Claude Code would stop it before it answers",
                     "run `preloop-hook install` to write timeout " +
                         std::to_string(ctx.config->hook_timeout_seconds) + ", or lower hook_timeout_seconds"});
    } else {
      out.push_back({"hook.timeout", CheckStatus::Ok,
                     "timeout " + std::to_string(timeout) + " s covers hook_timeout_seconds " +
                         std::to_string(ctx.config->hook_timeout_seconds) + " s (approval waits end after " +
                         std::to_string(ctx.config->wait_budget_seconds()) + " s)",
                     ""});
    }
  }
}

void check_kill_switches(const std::vector<Source>& sources, bool ours_managed, std::vector<CheckResult>& out) {
  bool found = false;
  for (const auto& s : sources) {
    if (s.label != "managed") continue;
    if (flag_set(s.json, "disableAllHooks")) {
      out.push_back({"claude.hooks_enabled", CheckStatus::Fail,
                     s.path.string() + " sets disableAllHooks: every hook is off, preloop-hook included",
                     "remove disableAllHooks from the managed settings"});
      found = true;
    }
    if (!ours_managed && flag_set(s.json, "allowManagedHooksOnly")) {
      out.push_back({"claude.hooks_enabled", CheckStatus::Fail,
                     s.path.string() + " sets allowManagedHooksOnly, so hooks from user and project settings "
                                       "(preloop-hook's) do not run",
                     "install preloop-hook's entries in the managed settings file instead"});
      found = true;
    }
    if (!ours_managed && flag_set(s.json, "strictPluginOnlyCustomization", "hooks")) {
      out.push_back({"claude.hooks_enabled", CheckStatus::Fail,
                     s.path.string() + " sets strictPluginOnlyCustomization for hooks, so hooks from settings "
                                       "files do not run",
                     "install preloop-hook as a plugin (hooks/ in the package) or in the managed settings"});
      found = true;
    }
  }
  // disableAllHooks outside managed settings: the most specific file that sets it wins.
  const Source* decisive = nullptr;
  for (const auto& s : sources)
    if (s.label != "managed" && s.json.contains("disableAllHooks")) decisive = &s;
  if (decisive && flag_set(decisive->json, "disableAllHooks") && !ours_managed) {
    out.push_back({"claude.hooks_enabled", CheckStatus::Fail,
                   decisive->path.string() + " sets disableAllHooks: true, which switches preloop-hook off",
                   "remove disableAllHooks from " + decisive->path.string()});
    found = true;
  }
  if (!found)
    out.push_back({"claude.hooks_enabled", CheckStatus::Ok, "no setting switches hooks off", ""});
}

}  // namespace

std::vector<CheckResult> check_claude_settings(const DoctorContext& ctx) {
  std::vector<CheckResult> out;
  std::vector<Source> sources = load_sources(ctx, out);

  std::vector<Entry> entries;
  for (const auto& s : sources) {
    try {
      for (auto& f : find_own_handlers(s.json)) entries.push_back({&s, f});
    } catch (const SettingsError& e) {
      out.push_back({"settings.shape", CheckStatus::Fail, s.path.string() + ": " + e.what(),
                     "correct the \"hooks\" block to Claude Code's documented format"});
    }
  }
  bool pre = false, post = false, ours_managed = false;
  for (const auto& e : entries) {
    if (e.found.event == "PreToolUse") pre = true;
    if (e.found.event == "PostToolUse") post = true;
    if (e.source->label == "managed") ours_managed = true;
  }
  bool plugin = plugin_enabled(sources);

  if (pre) {
    std::string files;
    for (const auto& e : entries)
      if (e.found.event == "PreToolUse") files += (files.empty() ? "" : ", ") + e.source->path.string();
    out.push_back({"hook.installed", CheckStatus::Ok, "PreToolUse hook installed in " + files, ""});
  } else if (plugin) {
    out.push_back({"hook.installed", CheckStatus::Ok, "installed as the preloop-hook Claude Code plugin", ""});
  } else {
    out.push_back({"hook.installed", CheckStatus::Fail,
                   "no Claude Code settings file runs preloop-hook as a PreToolUse hook: nothing is gated",
                   "run `preloop-hook install` (or `--scope project` inside a project)"});
  }
  if (pre && !post && !plugin) {
    out.push_back({"hook.post_tool_use", CheckStatus::Warn,
                   "no PostToolUse entry: secrets in tool output reach the model unmasked",
                   "run `preloop-hook install`"});
  }
  bool config_change = false;
  for (const auto& e : entries) config_change = config_change || e.found.event == "ConfigChange";
  if (pre && !config_change && !plugin) {
    out.push_back({"hook.config_change", CheckStatus::Warn,
                   "no ConfigChange entry: a settings change that removes preloop-hook during a session is "
                   "recorded on the next tool call but not blocked",
                   "run `preloop-hook install`"});
  }
  // The provenance events: without them prompts, skill shell lines and the session's course go unseen.
  std::string missing;
  for (const char* event : {"PreSkillShellCommand", "UserPromptSubmit", "SessionStart", "SessionEnd", "Stop",
                            "SubagentStart", "SubagentStop"}) {
    bool found = false;
    for (const auto& e : entries) found = found || e.found.event == event;
    if (!found) missing += (missing.empty() ? "" : ", ") + std::string(event);
  }
  if (pre && !plugin && !missing.empty()) {
    out.push_back({"hook.provenance", CheckStatus::Warn,
                   "no entry for " + missing +
                       ": skill shell lines are not gated, and prompts or the session's course are not recorded",
                   "run `preloop-hook install` (PreSkillShellCommand needs Claude Code 2.1.332 or later)"});
  }
  for (const auto& e : entries) check_handler(ctx, e, out);
  check_kill_switches(sources, ours_managed, out);
  return out;
}

}  // namespace preloop::install
