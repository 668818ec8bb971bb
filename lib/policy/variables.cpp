#include "policy/variables.h"

#include <algorithm>
#include <array>
#include <functional>
#include <optional>

#include "policy/tool_match.h"
#include "secrets/cel_bindings.h"
#include "shell/analyze.h"
#include "shell/cel_bindings.h"

namespace preloop::policy {

namespace {

// `session`: string fields read in place from the event and the variables,
// copied only when a condition reads one (most read one field, if any).
class SessionMap final : public cel::HostMap {
 public:
  SessionMap(const protocol::HookEvent& ev, const EventVariables& vars)
      : fields_{{{"agent_id", &ev.agent_id},
                 {"agent_type", &ev.agent_type},
                 {"cwd", &ev.cwd},
                 {"event", &ev.event_name},
                 {"home", &vars.home},
                 {"id", &ev.session_id},
                 {"permission_mode", &ev.permission_mode},
                 {"project_dir", &vars.project_dir}}} {}
  std::size_t size() const override { return fields_.size(); }
  std::optional<cel::Value> get(std::string_view key) const override {
    for (const auto& [k, v] : fields_)
      if (k == key) return cel::Value::String(*v);
    return std::nullopt;
  }
  void for_each(const std::function<void(const cel::Value&, const cel::Value&)>& fn) const override {
    for (const auto& [k, v] : fields_) fn(cel::Value::String(std::string(k)), cel::Value::String(*v));
  }

 private:
  std::array<std::pair<std::string_view, const std::string*>, 8> fields_;  // sorted by key, as a json object
};

}  // namespace

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

EventVariables::EventVariables(EventVariables&&) noexcept = default;
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
  if (!tool_bound && uses("tool")) {
    tool_bound = true;
    auto t = ToolName::parse(ev.tool_name);
    tool = {{"name", t.name}, {"is_mcp", t.is_mcp}, {"server", t.server}, {"mcp_tool", t.mcp_tool}};
    act.bind_json("tool", &tool);
  }
  if (!session_bound && uses("session")) {
    session_bound = true;
    act.bind("session", cel::Value::host(std::make_shared<const SessionMap>(ev, *this)));
  }
  if (!shell_bound && uses("shell")) {
    shell_bound = true;
    analysis(ev);
    act.bind("shell", shell::to_cel(analysis_));
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
