#include "config/paths.h"

#include <cstdlib>
#include <string_view>
#include <pwd.h>
#include <unistd.h>

#include "process/linkage.h"

namespace preloop::paths {
namespace fs = std::filesystem;
namespace {

// base / rel as std::filesystem::path joins them (rel is relative), built as
// a string: every path a hook call asks for is then split into components
// once, not once per directory level.
std::string join(std::string base, std::string_view rel) {
  if (!base.empty() && base.back() != '/') base += '/';
  base += rel;
  return base;
}

std::string home_string() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  process::nss_files_only_if_static();
  if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) return pw->pw_dir;
  return "/";
}

// XDG: relative paths are invalid and must be ignored.
std::string env_dir(const char* var, std::string_view below_home) {
  const char* v = std::getenv(var);
  if (v && *v == '/') return v;
  return join(home_string(), below_home);
}

std::string managed_string() {
  const char* v = std::getenv("PRELOOP_HOOK_MANAGED_DIR");
  return v && *v == '/' ? v : "/etc/preloop-hook";
}

std::string data_string() { return join(env_dir("XDG_DATA_HOME", ".local/share"), "preloop-hook"); }
std::string user_config_string() { return join(env_dir("XDG_CONFIG_HOME", ".config"), "preloop-hook"); }

}  // namespace

fs::path home_dir() { return home_string(); }

fs::path config_home() { return env_dir("XDG_CONFIG_HOME", ".config"); }
fs::path data_home() { return env_dir("XDG_DATA_HOME", ".local/share"); }
fs::path state_home() { return env_dir("XDG_STATE_HOME", ".local/state"); }

fs::path managed_dir() { return managed_string(); }
fs::path claude_user_dir() {
  const char* dir = std::getenv("CLAUDE_CONFIG_DIR");
  return dir && *dir ? fs::path(dir) : home_dir() / ".claude";
}
fs::path claude_managed_dir() {
  const char* dir = std::getenv("PRELOOP_HOOK_CLAUDE_MANAGED_DIR");
  return dir && *dir == '/' ? fs::path(dir) : fs::path("/etc/claude-code");
}
fs::path managed_config_file() { return join(managed_string(), "config.yaml"); }
fs::path managed_rules_dir() { return join(managed_string(), "rules"); }
fs::path data_dir() { return data_string(); }
fs::path user_config_dir() { return user_config_string(); }
fs::path user_config_file() { return join(user_config_string(), "config.yaml"); }
fs::path user_rules_dir() { return join(user_config_string(), "rules"); }
fs::path synced_dir() { return join(data_string(), "synced"); }
fs::path default_audit_db() { return join(data_string(), "audit.db"); }
fs::path cache_dir() { return join(data_string(), "cache"); }
fs::path guard_state_dir() { return join(data_string(), "guard-states"); }
std::string session_state_dir() { return join(data_string(), "sessions"); }
fs::path credentials_file() { return join(user_config_string(), "credentials"); }
fs::path project_dir(const fs::path& project_root) { return join(project_root.string(), ".preloop"); }

fs::path expand_user(const std::string& path) {
  if (path == "~") return home_dir();
  if (path.rfind("~/", 0) == 0) return home_dir() / path.substr(2);
  return path;
}

}  // namespace preloop::paths
