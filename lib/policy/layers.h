// Finding and loading every policy layer for one hook call.
//
//   managed  /etc/preloop-hook/rules/*.{yaml,yml,json}
//   synced   $XDG_DATA_HOME/preloop-hook/synced/policy.{json,yaml}
//   user     $XDG_CONFIG_HOME/preloop-hook/rules/*.{yaml,yml,json}
//   project  <project>/.preloop/*.{yaml,yml,json}  (allow honoured only if trusted)
//   packs    built-in packs enabled by the profile (recommended | strict | off)
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "policy/engine.h"

namespace preloop::policy {

struct LoadOptions {
  std::string project_dir;       // where .preloop/ is looked for; empty = no project layer
  std::string profile;           // overrides Config::profile when set
  bool packs_only = false;       // only the built-in packs (pack suites)
  std::vector<std::filesystem::path> extra_files;  // `test --rules FILE`: an extra "cli" layer
  std::optional<std::vector<std::filesystem::path>> user_files;  // in place of the user's rules (`audit replay`)
  bool use_cache = false;        // the hook: reuse a parsed snapshot when no input changed
  // With use_cache: the one call the hook decides, and its facts (from the
  // variables evaluate() will use). What of a snapshot cannot match the call
  // is not read (policy/cache.h), and the engine refuses to evaluate another.
  const protocol::HookEvent* only_call = nullptr;
  const CallFacts* call_facts = nullptr;
};

// The policy files of every layer for one call, in layer order.
struct PolicyInputs {
  std::vector<std::pair<std::string, std::filesystem::path>> files;  // layer, file
  std::string profile;                  // the packs' profile
  bool trusted = true;                  // project-layer allow is honoured
};
PolicyInputs policy_inputs(const Config& config, const LoadOptions& options);

// The stat signature of the inputs (see policy/cache.h) in two parts: the
// managed files with the profile and the embedded packs, and the other files
// with the project's trust; each names the binary. Empty when the binary
// cannot be identified.
struct PolicySignatures {
  std::string managed, rest;
  std::string combined() const { return managed.empty() || rest.empty() ? "" : managed + rest; }
};
PolicySignatures policy_signatures(const PolicyInputs& inputs);
std::string policy_signature(const PolicyInputs& inputs);  // policy_signatures(inputs).combined()

// Managed mode: paths::managed_dir() is a directory only root can write. The
// hook then reads the managed layer and the packs from a snapshot there (which
// only root writes), never from the user's own cache, which holds the other layers.
bool managed_mode();
std::filesystem::path managed_snapshot_dir(const std::string& profile);

// Writes the managed snapshots of every profile (as root: `install --scope managed`).
// Returns the problems found in the managed policy (nothing is written then).
std::vector<Diagnostic> compile_managed_snapshots(const Config& config);

// Whether the managed snapshot of the inputs' profile is in place and current.
bool managed_snapshot_current(const PolicyInputs& inputs);

struct PolicySet {
  Engine engine;
  std::vector<Diagnostic> diags;        // errors make the hook deny every call
  std::vector<std::string> files;       // what was loaded, in layer order
  PolicyInputs inputs;
  std::string signature;                // policy_signature(inputs) when use_cache, else empty
};

PolicySet load_policy_set(const Config& config, const LoadOptions& options);
// The config's policy settings for an Engine.
EngineSettings engine_settings(const Config& config);

// Documents of the built-in packs enabled by a profile.
std::vector<Document> load_packs(const std::string& profile, std::vector<Diagnostic>& diags);

// True when dir (or a parent) is one of the trusted project directories.
bool is_trusted_project(const Config& config, const std::filesystem::path& dir);

// Policy files of one directory, sorted by name.
std::vector<std::filesystem::path> policy_files_in(const std::filesystem::path& dir);

}  // namespace preloop::policy
