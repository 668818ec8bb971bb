// Where Claude Code reads its settings from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace preloop::install {

enum class Scope { User, Project, Local, Managed };

// "user" | "project" | "local" | "managed"; nullopt otherwise.
std::optional<Scope> parse_scope(const std::string& name);
const char* scope_name(Scope scope);

// The absolute path of the running executable (/proc/self/exe).
std::filesystem::path current_executable();

struct ClaudeLocations {
  std::filesystem::path user_dir;      // $CLAUDE_CONFIG_DIR, else ~/.claude
  std::filesystem::path project_dir;   // the project root (the working directory)
  std::filesystem::path managed_dir;   // /etc/claude-code (PRELOOP_HOOK_CLAUDE_MANAGED_DIR overrides, for tests)

  // The environment's locations: CLAUDE_CONFIG_DIR, HOME, the working directory.
  static ClaudeLocations from_environment();
  // The same with `project_dir` as the project root (the hook: $CLAUDE_PROJECT_DIR or the event's cwd).
  static ClaudeLocations for_project(const std::filesystem::path& project_dir);

  // Managed: managed_settings_file().
  std::filesystem::path settings_file(Scope scope) const;
  std::filesystem::path managed_settings_file() const;          // managed-settings.json
  std::vector<std::filesystem::path> managed_dropins() const;   // managed-settings.d/*.json, sorted

  // Every settings file Claude Code reads, lowest precedence first, labelled
  // "user", "project", "local" or "managed" (files that may not exist included,
  // managed drop-ins only when present).
  std::vector<std::pair<std::string, std::filesystem::path>> all_settings_files() const;
};

// Claude Code's managed settings directory: $PRELOOP_HOOK_CLAUDE_MANAGED_DIR, else /etc/claude-code.
std::filesystem::path claude_managed_dir();

}  // namespace preloop::install
