#include "install/hook_entries.h"

#include <cstdlib>

#include "process/executable.h"

namespace preloop::install {

namespace {

std::string basename_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_binary_name(const std::string& path) {
  std::string base = basename_of(path);
  if (!base.empty() && (base.front() == '"' || base.front() == '\'')) base.erase(0, 1);
  if (!base.empty() && (base.back() == '"' || base.back() == '\'')) base.pop_back();
  // Also a renamed copy such as preloop-hook-0.2.0.
  return base == "preloop-hook" || base.rfind("preloop-hook-", 0) == 0;
}

// Splits a shell-form command on unquoted blanks (quotes removed). Enough to
// recognise `"/path with space/preloop-hook" hook`.
std::vector<std::string> shell_words(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (char c : command) {
    if (quote) {
      if (c == quote) quote = 0;
      else word += c;
    } else if (c == '"' || c == '\'') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

std::string where(const std::string& event, std::size_t group = std::string::npos) {
  std::string path = "/hooks/" + event;
  if (group != std::string::npos) path += "/" + std::to_string(group);
  return path;
}

// Checks the shape of hooks[event]; returns nullptr when absent.
const Json* event_groups(const Json& settings, const std::string& event) {
  auto hooks = settings.find("hooks");
  if (hooks == settings.end()) return nullptr;
  if (!hooks->is_object()) throw SettingsError("/hooks: expected an object, found " + std::string(hooks->type_name()));
  auto groups = hooks->find(event);
  if (groups == hooks->end()) return nullptr;
  if (!groups->is_array())
    throw SettingsError(where(event) + ": expected an array, found " + std::string(groups->type_name()));
  for (std::size_t g = 0; g < groups->size(); ++g) {
    const Json& group = (*groups)[g];
    if (!group.is_object())
      throw SettingsError(where(event, g) + ": expected an object, found " + std::string(group.type_name()));
    auto handlers = group.find("hooks");
    if (handlers != group.end() && !handlers->is_array())
      throw SettingsError(where(event, g) + "/hooks: expected an array, found " + std::string(handlers->type_name()));
    auto matcher = group.find("matcher");
    if (matcher != group.end() && !matcher->is_string())
      throw SettingsError(where(event, g) + "/matcher: expected a string, found " + std::string(matcher->type_name()));
  }
  return &*groups;
}

}  // namespace

std::filesystem::path find_on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "";
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = dirs.substr(start, end - start);
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (!dir.empty() && dir.front() == '/' && process::executable_file(candidate.string())) return candidate;
    start = end + 1;
  }
  return {};
}

bool blocks_on_failure(const std::string& event) {
  return event == "PreToolUse" || event == "PostToolUse" || event == "ConfigChange" ||
         event == "PreSkillShellCommand" || event == "UserPromptSubmit";
}

std::string status_message(const std::string& event) {
  if (event == "PreToolUse") return "preloop-hook: checking policy (waiting for approval if a rule requires it)";
  if (event == "PostToolUse") return "preloop-hook: checking the output for secrets";
  if (event == "ConfigChange") return "preloop-hook: checking the settings change";
  if (event == "PreSkillShellCommand") return "preloop-hook: checking the skill's shell command";
  if (event == "UserPromptSubmit") return "preloop-hook: recording the prompt";
  return "preloop-hook: recording";
}

Json hook_handler(const HookSpec& spec, const std::string& event) {
  Json handler = Json::object();
  handler["type"] = "command";
  handler["command"] = spec.binary.string();
  handler["args"] = Json::array({"hook"});
  handler["timeout"] = event == "PreToolUse" || event == "PreSkillShellCommand" ? spec.pre_timeout_seconds
                       : event == "PostToolUse" ? spec.post_timeout_seconds
                                                : spec.other_timeout_seconds;
  if (blocks_on_failure(event)) handler["onFailure"] = "block";
  handler["statusMessage"] = status_message(event);
  return handler;
}

bool is_own_handler(const Json& handler) {
  if (!handler.is_object() || handler.value("type", "") != "command") return false;
  auto command = handler.find("command");
  if (command == handler.end() || !command->is_string()) return false;
  auto args = handler.find("args");
  if (args != handler.end()) {
    return args->is_array() && !args->empty() && (*args)[0] == "hook" && is_binary_name(command->get<std::string>());
  }
  auto words = shell_words(command->get<std::string>());
  return words.size() >= 2 && is_binary_name(words[0]) && words[1] == "hook";
}

bool matches_all_tools(const std::string& matcher) {
  return matcher.empty() || matcher == "*" || matcher == ".*";
}

std::vector<FoundHandler> find_own_handlers(const Json& settings) {
  std::vector<FoundHandler> found;
  for (const char* event : kHookEvents) {
    const Json* groups = event_groups(settings, event);
    if (!groups) continue;
    for (std::size_t g = 0; g < groups->size(); ++g) {
      const Json& group = (*groups)[g];
      auto handlers = group.find("hooks");
      if (handlers == group.end()) continue;
      for (std::size_t h = 0; h < handlers->size(); ++h) {
        if (is_own_handler((*handlers)[h]))
          found.push_back({event, group.value("matcher", ""), g, h, (*handlers)[h]});
      }
    }
  }
  return found;
}

std::size_t remove_own_handlers(Json& settings) {
  std::size_t removed = 0;
  for (const char* event : kHookEvents) {
    if (!event_groups(settings, event)) continue;
    Json& groups = settings["hooks"][event];
    Json kept = Json::array();
    for (Json& group : groups) {
      auto handlers = group.find("hooks");
      if (handlers == group.end()) {
        kept.push_back(group);
        continue;
      }
      Json rest = Json::array();
      for (Json& handler : *handlers) {
        if (is_own_handler(handler)) ++removed;
        else rest.push_back(handler);
      }
      bool emptied = rest.empty() && !handlers->empty();
      *handlers = rest;
      if (!emptied) kept.push_back(group);
    }
    bool emptied = kept.empty() && !groups.empty();
    groups = kept;
    if (emptied) settings["hooks"].erase(event);
  }
  if (removed > 0 && settings.contains("hooks") && settings["hooks"].empty()) settings.erase("hooks");
  return removed;
}

bool add_own_handlers(Json& settings, const HookSpec& spec) {
  // Validate the whole block before touching anything.
  for (const char* event : kHookEvents) event_groups(settings, event);
  Json before = settings;
  for (const char* event : kHookEvents) {
    Json group = Json::object();
    group["matcher"] = "*";
    group["hooks"] = Json::array({hook_handler(spec, event)});

    // Where our group sits now (first group holding one of ours), if anywhere.
    std::size_t position = std::string::npos;
    if (const Json* groups = event_groups(settings, event)) {
      for (std::size_t g = 0; g < groups->size() && position == std::string::npos; ++g) {
        auto handlers = (*groups)[g].find("hooks");
        if (handlers == (*groups)[g].end()) continue;
        for (const Json& handler : *handlers)
          if (is_own_handler(handler)) position = g;
      }
    }
    // Drop ours from this event only, then put the wanted group back in place.
    Json single = Json::object();
    single["hooks"] = Json::object();
    if (settings.contains("hooks") && settings["hooks"].contains(event))
      single["hooks"][event] = settings["hooks"][event];
    remove_own_handlers(single);
    if (!settings.contains("hooks")) settings["hooks"] = Json::object();
    Json groups = single.contains("hooks") && single["hooks"].contains(event) ? single["hooks"][event] : Json::array();
    // Groups before `position` are unchanged by the removal, so the index holds.
    if (position == std::string::npos || position > groups.size()) position = groups.size();
    groups.insert(groups.begin() + static_cast<std::ptrdiff_t>(position), group);
    settings["hooks"][event] = groups;
  }
  return settings != before;
}

}  // namespace preloop::install
