// preloop-hook's own settings (not the policies): fail mode, input cap,
// rule packs, trusted projects, and one YAML section per library.
//
// Files, later ones overriding earlier ones key by key:
//   user:    $XDG_CONFIG_HOME/preloop-hook/config.yaml
//   managed: /etc/preloop-hook/config.yaml   (wins: an org can pin settings)
// PRELOOP_HOOK_CONFIG=<file> replaces the user file (tests, CI).
//
// Under a managed config the user file can only make the guard stricter:
// a lower profile than the managed one, fail_mode: open and a weaker
// tamper.on_weakening are ignored (and listed in Config::ignored).
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace preloop {

enum class FailMode { Closed, Open };

// What a change that weakens the guard during a session does to the next call.
enum class TamperAction { Record, Ask, Deny };
const char* to_string(TamperAction a);

// Built-in pack profiles from the weakest: off < recommended < strict; -1 when unknown.
int profile_rank(const std::string& profile);

struct Config {
  FailMode fail_mode = FailMode::Closed;
  std::size_t max_input_bytes = 32u << 20;
  std::string profile = "recommended";              // recommended | strict | off
  std::vector<std::filesystem::path> trusted_projects;  // project-layer allow is honoured only here
  std::string identity;                              // e.g. the user's email, for audit records
  int hook_timeout_seconds = 330;                    // must match the hook "timeout" in settings
  bool audit_enabled = true;
  std::filesystem::path audit_path;                  // default paths::default_audit_db()
  bool audit_direct = false;                         // audit.mode: direct (commit each record to SQLite)
  TamperAction tamper_on_weakening = TamperAction::Ask;  // tamper.on_weakening: ask | deny | record
  std::vector<std::filesystem::path> sources;        // files that were loaded
  bool managed = false;                              // a managed config file was loaded
  std::vector<std::string> ignored;                  // user settings a managed config overruled, one line each

  // A library's own section ("approval", "sync", "secrets", "audit", ...);
  // an undefined node when absent. Merged: managed keys override user keys.
  const YAML::Node section(const std::string& name) const;
  YAML::Node root;

  // Seconds the hook may still spend waiting (approvals) so that it answers
  // safely before Claude Code's own timeout kills it.
  int wait_budget_seconds() const;
};

// A config error: "file:line:col: message".
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Loads and merges the config files. Throws ConfigError on a malformed file.
Config load_config();
// Loads exactly one file (tests, `rules validate --config`).
Config load_config_file(const std::filesystem::path& file);

}  // namespace preloop
