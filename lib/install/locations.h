// Where Claude Code reads its settings from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace preloop::install {

enum class Scope { User, Project, Local };

// "user" | "project" | "local"; nullopt otherwise.
std::optional<Scope> parse_scope(const std::string& name);
const char* scope_name(Scope scope);

// The absolute path of the running executable (/proc/self/exe).
std::filesystem::path current_executable();

struct ClaudeLocations {
  std::filesystem::path user_dir;      // $CLAUDE_CONFIG_DIR, else ~/.claude
  std::filesystem::path project_dir;   // the project root (the working directory)
  std::filesystem::path managed_dir;   // /etc/claude-code

  // The environment's locations: CLAUDE_CONFIG_DIR, HOME, the working directory.
  static ClaudeLocations from_environment();

  std::filesystem::path settings_file(Scope scope) const;
  std::filesystem::path managed_settings_file() const;          // managed-settings.json
  std::vector<std::filesystem::path> managed_dropins() const;   // managed-settings.d/*.json, sorted
};

}  // namespace preloop::install
