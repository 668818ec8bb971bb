#include "install/locations.h"

#include <algorithm>
#include <cstdlib>

#include "config/paths.h"

namespace preloop::install {

namespace fs = std::filesystem;

std::optional<Scope> parse_scope(const std::string& name) {
  if (name == "user") return Scope::User;
  if (name == "project") return Scope::Project;
  if (name == "local") return Scope::Local;
  if (name == "managed") return Scope::Managed;
  return std::nullopt;
}

const char* scope_name(Scope scope) {
  switch (scope) {
    case Scope::User: return "user";
    case Scope::Project: return "project";
    case Scope::Local: return "local";
    case Scope::Managed: return "managed";
  }
  return "user";
}

fs::path current_executable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self;
}

ClaudeLocations ClaudeLocations::for_project(const fs::path& project_dir) {
  ClaudeLocations loc;
  loc.user_dir = paths::claude_user_dir();
  loc.project_dir = project_dir;
  loc.managed_dir = claude_managed_dir();
  return loc;
}

ClaudeLocations ClaudeLocations::from_environment() { return for_project(fs::current_path()); }

fs::path claude_managed_dir() { return paths::claude_managed_dir(); }

fs::path ClaudeLocations::settings_file(Scope scope) const {
  switch (scope) {
    case Scope::User: return user_dir / "settings.json";
    case Scope::Project: return project_dir / ".claude" / "settings.json";
    case Scope::Local: return project_dir / ".claude" / "settings.local.json";
    case Scope::Managed: return managed_settings_file();
  }
  return user_dir / "settings.json";
}

fs::path ClaudeLocations::managed_settings_file() const { return managed_dir / "managed-settings.json"; }

std::vector<fs::path> ClaudeLocations::managed_dropins() const {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(managed_dir / "managed-settings.d", ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::pair<std::string, fs::path>> ClaudeLocations::all_settings_files() const {
  std::vector<std::pair<std::string, fs::path>> files = {{"user", settings_file(Scope::User)},
                                                         {"project", settings_file(Scope::Project)},
                                                         {"local", settings_file(Scope::Local)},
                                                         {"managed", managed_settings_file()}};
  for (const auto& dropin : managed_dropins()) files.emplace_back("managed", dropin);
  return files;
}

}  // namespace preloop::install
