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
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/forward_settings.h"

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
  int audit_busy_timeout_ms = 2000;                  // audit.busy_timeout_ms: wait for a locked store
  bool observe = false;                              // policy.mode: observe (record would-be decisions, answer none)
  bool allow_tuning = true;                          // policy.allow_tuning: rules below managed may disable/override
  bool pin_enforce = false;                          // policy.pin_enforce: observe below managed is ignored
  bool claude_permissions = false;                   // policy.claude_permissions: Claude Code's permissions as layers
  bool audit_forward = false;                        // audit.forward lists a sink (kept in snapshots)
  std::vector<ForwardSink> forward_sinks;            // audit.forward as parsed from the files (not from snapshots)
  std::vector<std::filesystem::path> sources;        // files that were loaded
  bool managed = false;                              // a managed config file was loaded
  std::vector<std::string> ignored;                  // user settings a managed config overruled, one line each

  // A library's own section ("approval", "sync", "secrets", "audit", ...);
  // an undefined node when absent. Merged: managed keys override user keys.
  const YAML::Node section(const std::string& name) const;
  // The section as YAML text; empty when absent. Needs no parsing when the
  // config came from a snapshot.
  std::string section_text(const std::string& name) const;
  YAML::Node root;  // the merged files (null when loaded from a snapshot)
  std::vector<std::pair<std::string, std::string>> sections;  // name -> YAML text, from a snapshot

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

// load_config() through a snapshot (config/snapshot.h), so that a hook call
// parses no YAML while the files are unchanged. A snapshot is saved only when
// sections_valid(config) is true: the libraries' sections must parse, because
// errors found in them later would point into the snapshot's text rather
// than the files.
Config load_config_cached(const std::function<bool(const Config&)>& sections_valid);

// The config as a snapshot payload, and back (nullopt when damaged).
std::string serialize_config(const Config& config);
std::optional<Config> deserialize_config(std::string_view data);
// Loads exactly one file (tests, `rules validate --config`).
Config load_config_file(const std::filesystem::path& file);

}  // namespace preloop
