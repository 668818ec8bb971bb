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
const Json* event_list(const Json& doc, const HookLayout& layout, const std::string& event) {
  auto hooks = doc.find("hooks");
  if (hooks == doc.end()) return nullptr;
  if (!hooks->is_object()) throw SettingsError("/hooks: expected an object, found " + std::string(hooks->type_name()));
  auto list = hooks->find(event);
  if (list == hooks->end()) return nullptr;
  if (!list->is_array())
    throw SettingsError(where(event) + ": expected an array, found " + std::string(list->type_name()));
  for (std::size_t g = 0; g < list->size(); ++g) {
    const Json& item = (*list)[g];
    if (!item.is_object())
      throw SettingsError(where(event, g) + ": expected an object, found " + std::string(item.type_name()));
    if (!layout.groups) continue;
    auto handlers = item.find("hooks");
    if (handlers != item.end() && !handlers->is_array())
      throw SettingsError(where(event, g) + "/hooks: expected an array, found " + std::string(handlers->type_name()));
    auto matcher = item.find("matcher");
    if (matcher != item.end() && !matcher->is_string())
      throw SettingsError(where(event, g) + "/matcher: expected a string, found " + std::string(matcher->type_name()));
  }
  return &*list;
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

bool blocks_on_failure(const std::string& event) { return event != "InstructionsLoaded"; }

std::string status_message(const std::string& event) {
  if (event == "PreToolUse") return "preloop-hook: checking policy (waiting for approval if a rule requires it)";
  if (event == "PostToolUse") return "preloop-hook: checking the output for secrets";
  if (event == "ConfigChange") return "preloop-hook: checking the settings change";
  return "preloop-hook: recording";
}

Json hook_handler(const HookSpec& spec, const std::string& event) {
  Json handler = Json::object();
  handler["type"] = "command";
  handler["command"] = spec.binary.string();
  handler["args"] = Json::array({"hook"});
  handler["timeout"] = event == "PreToolUse"    ? spec.pre_timeout_seconds
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

const HookLayout& claude_layout() {
  static const HookLayout layout{std::vector<std::string>(std::begin(kHookEvents), std::end(kHookEvents)), true,
                                 is_own_handler};
  return layout;
}

std::vector<FoundHandler> find_handlers(const Json& doc, const HookLayout& layout) {
  std::vector<FoundHandler> found;
  for (const std::string& event : layout.events) {
    const Json* list = event_list(doc, layout, event);
    if (!list) continue;
    for (std::size_t g = 0; g < list->size(); ++g) {
      const Json& item = (*list)[g];
      if (!layout.groups) {
        if (layout.is_own(item)) found.push_back({event, "", g, 0, item});
        continue;
      }
      auto handlers = item.find("hooks");
      if (handlers == item.end()) continue;
      for (std::size_t h = 0; h < handlers->size(); ++h)
        if (layout.is_own((*handlers)[h])) found.push_back({event, item.value("matcher", ""), g, h, (*handlers)[h]});
    }
  }
  return found;
}

std::size_t remove_handlers(Json& doc, const HookLayout& layout) {
  std::size_t removed = 0;
  for (const std::string& event : layout.events) {
    if (!event_list(doc, layout, event)) continue;
    Json& list = doc["hooks"][event];
    Json kept = Json::array();
    for (Json& item : list) {
      if (!layout.groups) {
        if (layout.is_own(item)) ++removed;
        else kept.push_back(item);
        continue;
      }
      auto handlers = item.find("hooks");
      if (handlers == item.end()) {
        kept.push_back(item);
        continue;
      }
      Json rest = Json::array();
      for (Json& handler : *handlers) {
        if (layout.is_own(handler)) ++removed;
        else rest.push_back(handler);
      }
      bool emptied = rest.empty() && !handlers->empty();
      *handlers = rest;
      if (!emptied) kept.push_back(item);
    }
    bool emptied = kept.empty() && !list.empty();
    list = kept;
    if (emptied) doc["hooks"].erase(event);
  }
  if (removed > 0 && doc.contains("hooks") && doc["hooks"].empty()) doc.erase("hooks");
  return removed;
}

bool put_handlers(Json& doc, const HookLayout& layout, const std::function<Json(const std::string&)>& entry) {
  // Validate the whole block before touching anything.
  for (const std::string& event : layout.events) event_list(doc, layout, event);
  Json before = doc;
  for (const std::string& event : layout.events) {
    // Where ours sits now (the first item holding one of ours), if anywhere.
    std::size_t position = std::string::npos;
    for (const FoundHandler& f : find_handlers(doc, HookLayout{{event}, layout.groups, layout.is_own}))
      if (position == std::string::npos) position = f.group;
    // Drop ours from this event only, then put the wanted entry back in place.
    Json single = {{"hooks", Json::object()}};
    if (doc.contains("hooks") && doc["hooks"].contains(event)) single["hooks"][event] = doc["hooks"][event];
    remove_handlers(single, HookLayout{{event}, layout.groups, layout.is_own});
    Json list = single.contains("hooks") && single["hooks"].contains(event) ? single["hooks"][event] : Json::array();
    // Items before `position` are unchanged by the removal, so the index holds.
    if (position == std::string::npos || position > list.size()) position = list.size();
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(position), entry(event));
    if (!doc.contains("hooks")) doc["hooks"] = Json::object();
    doc["hooks"][event] = list;
  }
  return doc != before;
}

std::vector<FoundHandler> find_own_handlers(const Json& settings) { return find_handlers(settings, claude_layout()); }

std::size_t remove_own_handlers(Json& settings) { return remove_handlers(settings, claude_layout()); }

bool add_own_handlers(Json& settings, const HookSpec& spec) {
  return put_handlers(settings, claude_layout(), [&](const std::string& event) {
    Json group = Json::object();
    group["matcher"] = "*";
    group["hooks"] = Json::array({hook_handler(spec, event)});
    return group;
  });
}

}  // namespace preloop::install
