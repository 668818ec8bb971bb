#include "approval/run_hook.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace preloop::testing {
namespace fs = std::filesystem;

const char* const kApprovalPolicy = R"YAML(version: "1.0"
approval_workflows:
  - name: manual-approval
    timeout_seconds: 60
tools:
  - name: Bash
    conditions:
      - id: git.push
        expression: "args.command.contains('git push')"
        action: require_approval
        approval_workflow: manual-approval
        description: Pushes need a human
)YAML";

bool hook_binary_available() {
  const char* b = std::getenv("PRELOOP_HOOK_BIN");
  return b && *b && fs::exists(b);
}

HookHome::HookHome() {
  char t[] = "/tmp/preloop-home-XXXXXX";
  if (!::mkdtemp(t)) throw std::runtime_error("mkdtemp failed");
  root_ = t;
  for (const char* d : {"config/preloop-hook/rules", "data", "state", "managed", "home"}) fs::create_directories(root_ / d);
  write_config("profile: off\n");
}

HookHome::~HookHome() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

fs::path HookHome::synced_dir() const { return root_ / "data/preloop-hook/synced"; }

void HookHome::write_config(const std::string& yaml) { std::ofstream(root_ / "config.yaml") << yaml; }

void HookHome::write_user_policy(const std::string& yaml) {
  std::ofstream(root_ / "config/preloop-hook/rules/policy.yaml") << yaml;
}

std::map<std::string, std::string> HookHome::env(const std::map<std::string, std::string>& extra) const {
  std::map<std::string, std::string> e = {
      {"HOME", (root_ / "home").string()},
      {"XDG_CONFIG_HOME", (root_ / "config").string()},
      {"XDG_DATA_HOME", (root_ / "data").string()},
      {"XDG_STATE_HOME", (root_ / "state").string()},
      {"PRELOOP_HOOK_CONFIG", (root_ / "config.yaml").string()},
      {"PRELOOP_HOOK_MANAGED_DIR", (root_ / "managed").string()},
      {"PRELOOP_URL", ""},  // empty: removed (support/process.h)
      {"PRELOOP_API_KEY", ""},
      {"PRELOOP_HOOK_AUDIT_DB", ""},
  };
  for (const auto& [k, v] : extra) e[k] = v;
  return e;
}

std::string bash_event(const std::string& command, const std::string& tool_use_id) {
  return nlohmann::json{{"session_id", "sess-test"},
                        {"transcript_path", "/tmp/transcript.jsonl"},
                        {"cwd", "/tmp"},
                        {"permission_mode", "default"},
                        {"hook_event_name", "PreToolUse"},
                        {"tool_name", "Bash"},
                        {"tool_input", {{"command", command}, {"description", "Push the fix"}}},
                        {"tool_use_id", tool_use_id}}
      .dump();
}

}  // namespace preloop::testing
