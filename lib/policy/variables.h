// The CEL variables a condition sees:
//   args    — tool_input plus `cwd`; `path` aliases file_path/notebook_path
//   tool    — {name, is_mcp, server, mcp_tool}
//   session — {id, cwd, permission_mode, agent_id, agent_type, project_dir, home}
//   shell   — the analysis of args.command (Bash), computed on first use
//   secrets — secrets found in the tool input, computed on first use
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "cel/cel.h"
#include "policy/prefilter.h"
#include "protocol/event.h"

namespace preloop::policy {

inline constexpr const char* kVariables[] = {"args", "tool", "session", "shell", "secrets"};

// Builds `args`, bound eagerly; `tool`, `session`, `shell` and `secrets` are
// built and bound by bind_lazy() when a program reads them.
struct EventVariables {
  nlohmann::json args;
  nlohmann::json tool;
  bool tool_bound = false;
  bool session_bound = false;
  bool shell_bound = false;
  bool secrets_bound = false;
  std::string home;
  std::string project_dir;

  EventVariables(const protocol::HookEvent& ev, std::string home, std::string project_dir);
  EventVariables(EventVariables&&) noexcept;
  ~EventVariables();
  void bind(cel::Activation& act) const;
  void bind_lazy(const cel::Program& program, const protocol::HookEvent& ev, cel::Activation& act);
  // The facts prefilters are tested against, from the same `args` and analysis
  // the conditions see; the analysis only when with_shell.
  const CallFacts& facts(const protocol::HookEvent& ev, bool with_shell);
  // The analysis when a rule computed it, else null.
  std::shared_ptr<const shell::Analysis> computed_analysis() const { return analysis_; }

 private:
  const shell::Analysis& analysis(const protocol::HookEvent& ev);
  std::shared_ptr<const shell::Analysis> analysis_;  // computed on first use; shared with the `shell` view
  std::unique_ptr<CallFacts> facts_;
  bool shell_facts_added_ = false;
};

// The shell analysis of a Bash (or PowerShell) call's command, as rules see it;
// an empty analysis for other tools.
std::shared_ptr<const shell::Analysis> analyze_call(const protocol::HookEvent& ev, const std::string& home,
                                                    const std::string& project_dir);

// A cel::Env with the variables declared and the extension functions registered.
const cel::Env& policy_env();

}  // namespace preloop::policy
