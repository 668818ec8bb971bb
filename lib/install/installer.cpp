#include "install/installer.h"

#include <sys/stat.h>

#include <stdexcept>

#include "config/paths.h"
#include "install/line_diff.h"
#include "install/settings_file.h"

namespace preloop::install {

namespace {

constexpr const char* kClaudeFormat = "Claude Code's hooks format";

// Claude Code runs as the user and must read the managed settings.
void make_world_readable_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) return;
  std::filesystem::create_directories(dir, ec);
  if (ec || ::chmod(dir.c_str(), 0755) != 0)
    throw SettingsError(dir.string() + ": cannot create the directory" + (ec ? ": " + ec.message() : ""));
}


void check_managed_only(Scope scope, bool managed_hooks_only) {
  if (managed_hooks_only && scope != Scope::Managed)
    throw SettingsError("allowManagedHooksOnly belongs in the managed settings only (--scope managed)");
}

}  // namespace

std::filesystem::path backup_dir_for(Scope scope) {
  return scope == Scope::Project || scope == Scope::Local ? paths::data_dir() / "settings-backups"
                                                          : std::filesystem::path();
}

SettingsChange edit_settings(const std::filesystem::path& path, const std::filesystem::path& backup_dir, bool dry_run,
                             const char* format, const SettingsEdit& edit) {
  SettingsChange change;
  change.settings = path;
  SettingsFile file = read_settings(path);
  Json json = file.json;
  try {
    edit(json, change);
  } catch (const SettingsError& e) {
    throw SettingsError(path.string() + ": " + e.what() + " (" + format + "); fix it by hand, nothing was changed");
  }
  std::string text = render_settings(json);
  if (file.exists && json == file.json) return change;
  if (!file.exists && !change.changed) return change;
  change.changed = true;
  change.diff = unified_diff(file.text, text, file.exists ? path.string() : "/dev/null", path.string());
  if (!dry_run) change.backup = write_settings(path, text, backup_dir);
  return change;
}

SettingsChange install_hooks(const ClaudeLocations& where, Scope scope, const HookSpec& spec, bool dry_run,
                             bool managed_hooks_only) {
  check_managed_only(scope, managed_hooks_only);
  if (scope == Scope::Managed && !dry_run) make_world_readable_dir(where.managed_dir);
  HookSpec wanted = spec;
  if (scope == Scope::Project) wanted.binary = kCommandOnPath;  // shared with teammates: no path of this machine
  return edit_settings(where.settings_file(scope), backup_dir_for(scope), dry_run, kClaudeFormat, [&](Json& json, SettingsChange& change) {
    change.changed = add_own_handlers(json, wanted);
    if (managed_hooks_only && !(json.contains("allowManagedHooksOnly") && json["allowManagedHooksOnly"] == true)) {
      json["allowManagedHooksOnly"] = true;
      change.changed = true;
    }
  });
}

SettingsChange uninstall_hooks(const ClaudeLocations& where, Scope scope, bool dry_run, bool managed_hooks_only) {
  check_managed_only(scope, managed_hooks_only);
  return edit_settings(where.settings_file(scope), backup_dir_for(scope), dry_run, kClaudeFormat, [&](Json& json, SettingsChange& change) {
    change.removed = remove_own_handlers(json);
    change.changed = change.removed > 0;
    if (managed_hooks_only && json.contains("allowManagedHooksOnly")) {
      json.erase("allowManagedHooksOnly");
      change.changed = true;
    }
  });
}

}  // namespace preloop::install
