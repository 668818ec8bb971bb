#include "install/starter.h"

#include <fstream>

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

void write_new(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw SettingsError(path.string() + ": cannot write");
}

}  // namespace

std::vector<fs::path> create_starter_files(int hook_timeout_seconds, bool dry_run) {
  std::vector<fs::path> created;
  std::error_code ec;
  fs::path config = paths::user_config_file();
  if (!fs::exists(config, ec)) {
    if (!dry_run) write_new(config, starter_config_text(hook_timeout_seconds));
    created.push_back(config);
  }
  fs::path rules = paths::user_rules_dir();
  if (!dir_has_files(rules)) {
    fs::path policy = rules / "policy.yaml";
    if (!dry_run) write_new(policy, starter_policy_text());
    created.push_back(policy);
  }
  return created;
}

}  // namespace preloop::install
