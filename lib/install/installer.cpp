#include "install/installer.h"

#include "install/line_diff.h"
#include "install/settings_file.h"

namespace preloop::install {

namespace {

// Wraps a shape error from hook_entries ("/hooks/...: ...") with the file name.
template <typename Edit>
SettingsChange edit_settings(const std::filesystem::path& path, bool dry_run, Edit edit) {
  SettingsChange change;
  change.settings = path;
  SettingsFile file = read_settings(path);
  Json json = file.json;
  try {
    edit(json, change);
  } catch (const SettingsError& e) {
    throw SettingsError(path.string() + ": " + e.what() + " (Claude Code's hooks format); fix it by hand, nothing was changed");
  }
  std::string text = render_settings(json);
  if (file.exists && json == file.json) return change;
  if (!file.exists && !change.changed) return change;
  change.changed = true;
  change.diff = unified_diff(file.text, text, file.exists ? path.string() : "/dev/null", path.string());
  if (!dry_run) change.backup = write_settings(path, text);
  return change;
}

}  // namespace

SettingsChange install_hooks(const ClaudeLocations& where, Scope scope, const HookSpec& spec, bool dry_run) {
  return edit_settings(where.settings_file(scope), dry_run,
                       [&](Json& json, SettingsChange& change) { change.changed = add_own_handlers(json, spec); });
}

SettingsChange uninstall_hooks(const ClaudeLocations& where, Scope scope, bool dry_run) {
  return edit_settings(where.settings_file(scope), dry_run, [](Json& json, SettingsChange& change) {
    change.removed = remove_own_handlers(json);
    change.changed = change.removed > 0;
  });
}

}  // namespace preloop::install
