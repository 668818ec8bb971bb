// preloop-hook doctor: check that the gate is really on, and say how to fix it.
#include <iostream>
#include <memory>

#include "commands.h"
#include "install/doctor.h"

namespace preloop::cmd {

void add_doctor_command(CLI::App& app) {
  auto json = std::make_shared<bool>(false);
  auto* doctor = app.add_subcommand(
      "doctor", "Check the installation (Claude Code settings, timeouts, policies, audit store, approval service) "
                "and explain how to fix each problem; exit status 1 when the gate is not working");
  doctor->add_flag("--json", *json, "print the results as JSON");
  doctor->callback([json] {
    install::DoctorContext ctx;
    ctx.claude = install::ClaudeLocations::from_environment();
    ctx.self_binary = install::current_executable();
    try {
      ctx.config = load_config();
    } catch (const ConfigError& e) {
      ctx.config_error = e.what();
    }
    auto report = install::run_doctor(ctx, install::default_checks());
    if (*json) std::cout << install::render_json(report).dump(2) << "\n";
    else std::cout << install::render_text(report);
    if (report.failures > 0) throw CLI::RuntimeError(1);
  });
}

}  // namespace preloop::cmd
