#include "install/guard_files.h"

#include <cstdlib>

#include "audit/location.h"
#include "config/paths.h"
#include "install/hook_entries.h"
#include "install/settings_file.h"
#include "policy/layers.h"

namespace preloop::install {
namespace fs = std::filesystem;
namespace {

void add_dir(std::vector<GuardFile>& out, const std::string& role, const fs::path& dir, bool enforcing) {
  out.push_back({role, dir, enforcing});
  for (const auto& f : policy::policy_files_in(dir)) out.push_back({role, f, enforcing});
}

// The programs our handlers run, in every settings file that parses.
std::vector<fs::path> hook_programs(const ClaudeLocations& claude) {
  std::vector<fs::path> out;
  for (const auto& [scope, file] : claude.all_settings_files()) {
    try {
      SettingsFile s = read_settings(file);
      for (const auto& h : find_own_handlers(s.json)) {
        fs::path program = h.handler.value("command", "");
        if (program.is_absolute()) out.push_back(program);
      }
    } catch (const SettingsError&) {
    }
  }
  return out;
}

}  // namespace

std::vector<GuardFile> guard_files(const ClaudeLocations& claude, const Config* config, const fs::path& self) {
  std::vector<GuardFile> out;
  auto add = [&](const std::string& role, const fs::path& p, bool enforcing) {
    for (const auto& g : out)
      if (g.path == p) return;
    out.push_back({role, p, enforcing});
  };
  if (!self.empty()) add("binary", self, true);
  for (const auto& p : hook_programs(claude)) add("binary", p, true);
  if (const char* root = std::getenv("CLAUDE_PLUGIN_ROOT"); root && *root) add("plugin root", root, true);
  add("plugin root", claude.user_dir / "plugins", false);

  const char* user_config = std::getenv("PRELOOP_HOOK_CONFIG");
  add("user config", user_config && *user_config ? fs::path(user_config) : paths::user_config_file(), false);
  add("managed config", paths::managed_config_file(), true);
  add_dir(out, "managed rules", paths::managed_rules_dir(), true);
  add_dir(out, "user rules", paths::user_rules_dir(), false);
  add_dir(out, "project rules", paths::project_dir(claude.project_dir), false);
  add("synced policy", paths::synced_dir(), false);
  // Read by the hook in place of the policy files: the user's holds the
  // user-writable layers in managed mode, root's the managed layer and the packs.
  add("policy snapshot", paths::cache_dir(), false);
  add("managed policy snapshot", paths::managed_dir() / "cache", true);

  for (const auto& [scope, file] : claude.all_settings_files())
    add("claude settings (" + scope + ")", file, scope == "managed");
  add("claude settings (managed)", claude.managed_dir / "managed-settings.d", true);

  fs::path db = audit::db_path(config);
  add("audit store", db, false);
  add("audit journal", audit::spool_path(db), false);
  add("audit key", audit::key_path(db), false);
  add("fingerprint state", paths::guard_state_dir(), false);
  return out;
}

}  // namespace preloop::install
