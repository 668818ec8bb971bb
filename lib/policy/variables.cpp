#include "policy/variables.h"

#include <algorithm>

#include "policy/tool_match.h"
#include "secrets/cel_bindings.h"
#include "shell/analyze.h"
#include "shell/cel_bindings.h"

namespace preloop::policy {

EventVariables::EventVariables(const protocol::HookEvent& ev, std::string home_dir, std::string project)
    : home(std::move(home_dir)), project_dir(std::move(project)) {
  args = ev.tool_input.is_object() ? ev.tool_input : nlohmann::json::object();
  if (!args.contains("cwd")) args["cwd"] = ev.cwd;
  if (!args.contains("path")) {
    for (const char* k : {"file_path", "notebook_path"}) {
      auto it = args.find(k);
      if (it != args.end() && it->is_string()) {
        args["path"] = *it;
        break;
      }
    }
  }
}

void EventVariables::bind(cel::Activation& act) const { act.bind_json("args", &args); }

EventVariables::~EventVariables() = default;

std::shared_ptr<const shell::Analysis> analyze_call(const protocol::HookEvent& ev, const std::string& home,
                                                    const std::string& project_dir) {
  std::string command;
  if (auto it = ev.tool_input.find("command"); it != ev.tool_input.end() && it->is_string() &&
                                               (ev.tool_name == "Bash" || ev.tool_name == "PowerShell"))
    command = it->get<std::string>();
  shell::Context sctx;
  sctx.cwd = ev.cwd;
  sctx.home = home;
  sctx.project_dir = project_dir;
  return std::make_shared<const shell::Analysis>(shell::analyze(command, sctx));
}

const shell::Analysis& EventVariables::analysis(const protocol::HookEvent& ev) {
  if (!analysis_) analysis_ = analyze_call(ev, home, project_dir);
  return *analysis_;
}

const CallFacts& EventVariables::facts(const protocol::HookEvent& ev, bool with_shell) {
  if (!facts_) {
    facts_ = std::make_unique<CallFacts>();
    add_arg_facts(*facts_, args);
  }
  if (with_shell && !shell_facts_added_) {
    shell_facts_added_ = true;
    add_shell_facts(*facts_, analysis(ev));
  }
  return *facts_;
}

void EventVariables::bind_lazy(const cel::Program& program, const protocol::HookEvent& ev, cel::Activation& act) {
  const auto& vars = program.variables();
  auto uses = [&](const char* v) { return std::find(vars.begin(), vars.end(), v) != vars.end(); };
  if (!context_bound && (uses("tool") || uses("session"))) {
    context_bound = true;
    auto t = ToolName::parse(ev.tool_name);
    tool = {{"name", t.name}, {"is_mcp", t.is_mcp}, {"server", t.server}, {"mcp_tool", t.mcp_tool}};
    session = {{"id", ev.session_id},         {"cwd", ev.cwd},
               {"permission_mode", ev.permission_mode}, {"agent_id", ev.agent_id},
               {"agent_type", ev.agent_type}, {"project_dir", project_dir},
               {"home", home},                {"event", ev.event_name}};
    act.bind_json("tool", &tool);
    act.bind_json("session", &session);
  }
  if (!shell_bound && uses("shell")) {
    shell_bound = true;
    act.bind("shell", shell::to_cel(analysis(ev)));
  }
  if (!secrets_bound && uses("secrets")) {
    secrets_bound = true;
    act.bind("secrets", secrets::findings_value(ev.tool_input));
  }
}

const cel::Env& policy_env() {
  static const cel::Env env = [] {
    cel::Env e;
    for (const char* v : kVariables) e.declare_variable(v);
    shell::register_functions(e);
    return e;
  }();
  return env;
}

}  // namespace preloop::policy
