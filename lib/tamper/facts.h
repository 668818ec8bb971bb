// What a file the guard depends on says, as far as weakening goes: the rules
// of a policy file, whether a Claude Code settings file runs preloop-hook.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace preloop::tamper {

// Reads a regular file of at most max_bytes without blocking on a FIFO or a
// device (config/safe_file.h). nullopt (with *error set) when it is absent, not a
// regular file, too large or unreadable; *missing tells absence apart. owner_only:
// the guard's own file, tightened to 0600 when found looser.
std::optional<std::string> read_regular_file(const std::filesystem::path& path, std::size_t max_bytes,
                                             std::string* error = nullptr, bool* missing = nullptr,
                                             bool owner_only = false);

// Hex SHA-256 of a text.
std::string digest_of(const std::string& text);

struct PolicyFacts {
  bool valid = true;      // false: the file does not load (the hook then denies every call)
  int rules = 0;          // enabled conditions, plus tools that apply to every call
  bool allow_all = false; // an enabled `allow` condition that matches every call (`true` or no expression)
  int relaxed = 0;        // disable:/observe: entries, overridden rule ids, observed rules (mode: observe, enforce: false)
};
PolicyFacts policy_facts(const std::string& text, const std::string& file);

struct SettingsFacts {
  bool valid = true;        // false: not JSON Claude Code can use
  bool runs_hook = false;   // a PreToolUse handler runs `preloop-hook hook`
  bool disables_hooks = false;  // "disableAllHooks": true
};
SettingsFacts settings_facts(const std::string& text, const std::filesystem::path& file);

}  // namespace preloop::tamper
