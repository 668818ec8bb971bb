// Detecting changes to the guard's own configuration between hook calls.
//
// Each call builds a stat signature of everything its decisions depend on —
// config files, the policy files of every layer (the policy snapshot's own
// signature), Claude Code's settings files of every scope, the binary — plus
// the effective settings (profile, fail_mode, ...), and compares it with the
// one kept in a small owner-only state file of the project. Only when it differs are the
// changed files read and digested (SHA-256; the binary by its identity: size,
// times, inode), and the difference named: which
// file, old and new digest, and whether it weakens the guard (profile lowered,
// fail_mode open, rule files removed or fewer rules, an allow-all rule, our
// hook removed from a settings file, disableAllHooks set).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "config/config.h"
#include "install/locations.h"
#include "policy/layers.h"
#include "tamper/facts.h"

namespace preloop::tamper {

using Files = std::vector<std::pair<std::string, std::filesystem::path>>;  // kind, file

// What one call's configuration is made of.
struct Inputs {
  Files files;                  // config files ("config") and Claude Code settings ("settings:<scope>")
  const Files* policy_files = nullptr;  // by layer (policy::PolicyInputs::files); tracked as "policy:<layer>"
  std::string policy_signature; // their stat signature (policy::policy_signature)
  std::vector<std::pair<std::string, std::string>> values;  // effective settings, name -> value
  std::string project;          // project-scoped entries are compared only within one project
};

// The inputs of a hook call: config files, policy files, Claude Code settings.
// The result refers to policy.files, which must outlive it.
Inputs gather_inputs(const Config& config, const policy::PolicyInputs& policy, std::string policy_signature,
                     const install::ClaudeLocations& claude, const std::string& project);

struct Change {
  std::string kind;             // "config", "policy:<layer>", "settings:<scope>", "binary" or "setting"
  std::string path;             // the file, or the setting's name
  std::string old_digest;       // "" when absent before; the old value for a setting
  std::string new_digest;       // "" when absent now; the new value for a setting
  std::vector<std::string> weakening;  // why it weakens the guard; empty when it does not
  std::string describe() const; // one line
};

struct Outcome {
  bool fresh = false;           // no state before this call: recorded as the baseline
  std::vector<Change> changes;
  // Reasons to ask (or deny) on this call: a weakening during the session,
  // seen now or by an earlier call that could not ask. Empty when none.
  std::string escalate;
};

// The state is kept per project: one file in `state_dir` for each project
// root (state_file), so calls alternating between projects read an unchanged
// state and write nothing. A project without a state yet takes the most
// recently written one of another project as its baseline for everything not
// project-scoped, so a change made before its first call is still seen.
std::filesystem::path state_file(const std::filesystem::path& state_dir, const std::string& project);

// Compares the inputs with the project's state and records them there. A weakening
// seen while the session is the one of the previous call is returned in
// Outcome::escalate when `can_escalate` (PreToolUse), else kept pending for the
// next call that can. Never throws; a state that cannot be written is retried
// by the next call.
Outcome check(const std::filesystem::path& state_dir, const Inputs& inputs, const std::string& session,
              bool can_escalate);

// What the project's state recorded about a Claude Code settings file; nullopt when nothing.
std::optional<SettingsFacts> recorded_settings(const std::filesystem::path& state_dir, const std::string& project,
                                               const std::filesystem::path& file);

}  // namespace preloop::tamper
