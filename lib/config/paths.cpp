#include "config/paths.h"

#include <cstdlib>
#include <pwd.h>
#include <unistd.h>

namespace preloop::paths {
namespace fs = std::filesystem;
namespace {

fs::path env_dir(const char* var, const fs::path& fallback) {
  const char* v = std::getenv(var);
  // XDG: relative paths are invalid and must be ignored.
  if (v && *v == '/') return v;
  return fallback;
}

}  // namespace

fs::path home_dir() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) return pw->pw_dir;
  return "/";
}

fs::path config_home() { return env_dir("XDG_CONFIG_HOME", home_dir() / ".config"); }
fs::path data_home() { return env_dir("XDG_DATA_HOME", home_dir() / ".local/share"); }
fs::path state_home() { return env_dir("XDG_STATE_HOME", home_dir() / ".local/state"); }

fs::path managed_dir() { return env_dir("PRELOOP_HOOK_MANAGED_DIR", "/etc/preloop-hook"); }
fs::path claude_user_dir() {
  const char* dir = std::getenv("CLAUDE_CONFIG_DIR");
  return dir && *dir ? fs::path(dir) : home_dir() / ".claude";
}

fs::path claude_managed_dir() {
  const char* dir = std::getenv("PRELOOP_HOOK_CLAUDE_MANAGED_DIR");
  return dir && *dir == '/' ? fs::path(dir) : fs::path("/etc/claude-code");
}

fs::path managed_config_file() { return managed_dir() / "config.yaml"; }
fs::path managed_rules_dir() { return managed_dir() / "rules"; }
fs::path data_dir() { return data_home() / "preloop-hook"; }
fs::path user_config_dir() { return config_home() / "preloop-hook"; }
fs::path user_config_file() { return user_config_dir() / "config.yaml"; }
fs::path user_rules_dir() { return user_config_dir() / "rules"; }
fs::path synced_dir() { return data_dir() / "synced"; }
fs::path default_audit_db() { return data_dir() / "audit.db"; }
fs::path cache_dir() { return data_dir() / "cache"; }
fs::path guard_state_file() { return data_dir() / "guard-state"; }
fs::path credentials_file() { return user_config_dir() / "credentials"; }
fs::path project_dir(const fs::path& project_root) { return project_root / ".preloop"; }

fs::path expand_user(const std::string& path) {
  if (path == "~") return home_dir();
  if (path.rfind("~/", 0) == 0) return home_dir() / path.substr(2);
  return path;
}

}  // namespace preloop::paths
