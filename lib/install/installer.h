// `preloop-hook install` and `uninstall`: edit one Claude Code settings file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

#include "install/hook_entries.h"
#include "install/locations.h"

namespace preloop::install {

struct SettingsChange {
  std::filesystem::path settings;   // the file edited (or that would be)
  bool changed = false;             // false: already as wanted, nothing written
  std::string diff;                 // unified diff of the change ("" when unchanged)
  std::filesystem::path backup;     // copy of the previous file (empty if none was made)
  std::size_t removed = 0;          // uninstall: handlers removed
};

// Edits one settings file: reads it (a malformed file throws), applies
// `edit`, and writes the result (after a backup; in backup_dir when given)
// unless nothing changed or dry_run. A SettingsError thrown by `edit` is
// rethrown naming the file and the `format` it expected; nothing is written.
using SettingsEdit = std::function<void(Json&, SettingsChange&)>;
SettingsChange edit_settings(const std::filesystem::path& path, const std::filesystem::path& backup_dir, bool dry_run,
                             const char* format, const SettingsEdit& edit);

// Where the backups of a scope's settings go: a project's live in the
// repository, their backups do not (the data directory); empty: beside the file.
std::filesystem::path backup_dir_for(Scope scope);

// The command written into a project's shared settings: found on each
// teammate's PATH (Claude Code resolves an exec-form command there).
inline constexpr const char* kCommandOnPath = "preloop-hook";

// Adds preloop-hook's entries to the settings file of `scope` (the project
// scope names kCommandOnPath instead of spec.binary). With dry_run
// nothing is written. Throws SettingsError (nothing changed) when the file is
// malformed or its "hooks" block has an unexpected shape. With
// managed_hooks_only (managed scope only) the file also gets
// "allowManagedHooksOnly": true: hooks of user, project and local settings stop running.
// A managed settings file and its directory are made readable by every user.
// Backups of project and local settings go to the data directory, not the repository.
SettingsChange install_hooks(const ClaudeLocations& where, Scope scope, const HookSpec& spec, bool dry_run,
                             bool managed_hooks_only = false);

// Removes exactly preloop-hook's entries from the settings file of `scope`
// (and, with managed_hooks_only, the "allowManagedHooksOnly" key).
SettingsChange uninstall_hooks(const ClaudeLocations& where, Scope scope, bool dry_run,
                               bool managed_hooks_only = false);

}  // namespace preloop::install
