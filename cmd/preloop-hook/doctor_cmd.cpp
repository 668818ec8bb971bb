// preloop-hook doctor: check that the gate is really on, and say how to fix it.
#include <iostream>
#include <memory>
#include <stdexcept>

#include "commands.h"
#include "install/doctor.h"

namespace preloop::cmd {

void add_doctor_command(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  auto user = std::make_shared<std::string>();
  auto agent = std::make_shared<std::string>("claude");
  auto* doctor = app.add_subcommand(
      "doctor", "Check the installation (Claude Code settings, deployment mode and tamper surface, timeouts, "
                "policies, audit store and coverage gaps, approval service) and explain how to fix each problem; "
                "exit status 1 when the gate is not working");
  doctor->add_flag("--json", *json, "print the results as JSON");
  doctor->add_option("--user", *user,
                     "whose tamper surface to show (a name or uid; default: the user running doctor)");
  doctor->add_option("--agent", *agent, "check that agent's hooks: claude (default), gemini, qwen, codex, copilot, cursor")
      ->check(CLI::IsMember({"claude", "gemini", "qwen", "codex", "copilot", "cursor"}))
      ->capture_default_str();
  doctor->callback([json, user, agent] {
    install::DoctorContext ctx;
    if (!user->empty()) {
      try {
        ctx.principal = install::Principal::named(*user);  // an unknown name, or a uid out of range
      } catch (const std::exception& e) {
        std::cerr << "preloop-hook doctor: " << e.what() << "\n";
        throw CLI::RuntimeError(2);
      }
    }
    ctx.claude = install::ClaudeLocations::from_environment();
    ctx.self_binary = install::current_executable();
    try {
      ctx.config = load_config();
    } catch (const ConfigError& e) {
      ctx.config_error = e.what();
    }
    if (*agent != "claude") {
      ctx.agent = *agent;
      ctx.agents = install::AgentLocations::from_environment();
    }
    auto report = install::run_doctor(ctx, ctx.agent.empty() ? install::default_checks() : install::agent_checks());
    if (*json) std::cout << install::render_json(report).dump(2) << "\n";
    else std::cout << install::render_text(report);
    if (report.failures > 0) throw CLI::RuntimeError(1);
  });
}

}  // namespace preloop::cmd
