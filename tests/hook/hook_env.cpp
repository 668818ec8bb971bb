#include "hook/hook_env.h"

#include <filesystem>

namespace preloop::testing {

HookEnv::HookEnv(const std::string& config_yaml) {
  std::filesystem::create_directories(project());
  set_config(config_yaml);
}

void HookEnv::set_config(const std::string& yaml) const { dir_.write("config.yaml", yaml); }

std::map<std::string, std::string> HookEnv::env() const {
  return {{"HOME", home()},
          {"XDG_CONFIG_HOME", dir_.path() + "/cfg"},
          {"XDG_DATA_HOME", dir_.path() + "/data"},
          {"XDG_STATE_HOME", dir_.path() + "/state"},
          {"PRELOOP_HOOK_MANAGED_DIR", dir_.path() + "/managed"},
          {"PRELOOP_HOOK_CLAUDE_MANAGED_DIR", dir_.path() + "/claude-managed"},
          {"CLAUDE_CONFIG_DIR", ""},
          {"PRELOOP_HOOK_CONFIG", dir_.path() + "/config.yaml"},
          {"CLAUDE_PROJECT_DIR", ""},
          {"PRELOOP_URL", ""},
          {"PRELOOP_API_KEY", ""},
          {"PRELOOP_HOOK_AUDIT_DB", ""}};
}

ProcessResult HookEnv::hook(const std::string& stdin_text, std::map<std::string, std::string> extra) const {
  auto e = env();
  for (auto& [k, v] : extra) e[k] = v;
  return run_process({hook_binary(), "hook"}, stdin_text, e);
}

ProcessResult HookEnv::cli(const std::vector<std::string>& args, const std::string& stdin_text) const {
  std::vector<std::string> argv{hook_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv, stdin_text, env());
}

std::string HookEnv::pre(const std::string& tool, const nlohmann::json& input) const {
  return nlohmann::json{{"session_id", "s-test"},
                        {"transcript_path", "/dev/null"},
                        {"cwd", project()},
                        {"permission_mode", "default"},
                        {"hook_event_name", "PreToolUse"},
                        {"tool_name", tool},
                        {"tool_input", input},
                        {"tool_use_id", "toolu_test"}}
      .dump();
}

}  // namespace preloop::testing
