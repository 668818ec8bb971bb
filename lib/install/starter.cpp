#include "install/starter.h"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <optional>

#include "config/paths.h"
#include "install/settings_file.h"

namespace preloop::install {

namespace fs = std::filesystem;

std::string starter_config_text(int hook_timeout_seconds) {
  return "# preloop-hook settings. Policies live in rules/ beside this file.\n"
         "#   closed: any internal error blocks the tool call (recommended)\n"
         "fail_mode: closed\n"
         "# Built-in rule packs: recommended | strict | off\n"
         "profile: recommended\n"
         "# Must equal the \"timeout\" of the hook entries in Claude Code's settings;\n"
         "# approval waits end early enough to answer within it.\n"
         "hook_timeout_seconds: " +
         std::to_string(hook_timeout_seconds) +
         "\n"
         "audit:\n"
         "  enabled: true\n";
}

std::string starter_policy_text() {
  return "# Your own rules, evaluated together with the built-in packs; the most\n"
         "# restrictive decision wins. Format: Preloop policy-as-code (version 1.0).\n"
         "# Check changes with: preloop-hook rules validate\n"
         "version: \"1.0\"\n"
         "metadata:\n"
         "  name: my-rules\n"
         "  description: Personal rules for Claude Code tool calls\n"
         "tools: []\n"
         "# Example:\n"
         "# tools:\n"
         "#   - name: Bash\n"
         "#     conditions:\n"
         "#       - expression: \"args.command.contains('terraform destroy')\"\n"
         "#         condition_type: cel\n"
         "#         action: deny\n"
         "#         description: terraform destroy is not run from Claude Code\n";
}

namespace {

bool dir_has_files(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file(ec)) return true;
  return false;
}

// Exact modes for what is created (none: the umask decides).
struct Modes {
  mode_t dir, file;
};

// Creates the missing directories of `dir`, each with exactly `mode`.
void make_dirs(const fs::path& dir, mode_t mode) {
  std::error_code ec;
  if (dir.empty() || fs::exists(dir, ec)) return;
  make_dirs(dir.parent_path(), mode);
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) throw SettingsError(dir.string() + ": cannot create");
  if (::chmod(dir.c_str(), mode) != 0) throw SettingsError(dir.string() + ": cannot set its mode");
}

void write_new(const fs::path& path, const std::string& text, const std::optional<Modes>& modes) {
  if (modes) make_dirs(path.parent_path(), modes->dir);
  else fs::create_directories(path.parent_path());
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw SettingsError(path.string() + ": cannot write");
  }
  if (modes && ::chmod(path.c_str(), modes->file) != 0) throw SettingsError(path.string() + ": cannot set its mode");
}

std::vector<fs::path> create_in(const fs::path& config, const fs::path& rules, int hook_timeout_seconds, bool dry_run,
                                const std::optional<Modes>& modes) {
  std::vector<fs::path> created;
  std::error_code ec;
  if (!fs::exists(config, ec)) {
    if (!dry_run) write_new(config, starter_config_text(hook_timeout_seconds), modes);
    created.push_back(config);
  }
  if (!dir_has_files(rules)) {
    fs::path policy = rules / "policy.yaml";
    if (!dry_run) write_new(policy, starter_policy_text(), modes);
    created.push_back(policy);
  }
  return created;
}

}  // namespace

std::vector<fs::path> create_starter_files(int hook_timeout_seconds, bool dry_run) {
  return create_in(paths::user_config_file(), paths::user_rules_dir(), hook_timeout_seconds, dry_run, std::nullopt);
}

std::vector<fs::path> create_managed_starter_files(int hook_timeout_seconds, bool dry_run) {
  return create_in(paths::managed_config_file(), paths::managed_rules_dir(), hook_timeout_seconds, dry_run,
                   Modes{0755, 0644});
}

}  // namespace preloop::install
