// preloop-hook: the Claude Code hook that enforces policies on tool calls.
#include <cstring>
#include <iostream>

#include "commands.h"
#include "hook/hook.h"

int main(int argc, char** argv) {
  // The hook runs on every tool call: skip building the whole CLI for it.
  if (argc == 2 && std::strcmp(argv[1], "hook") == 0) preloop::hook::run_from_stdio();

  CLI::App app{"preloop-hook: policy gate, audit trail and human approval for Claude Code tool calls"};
  app.set_version_flag("--version", std::string("preloop-hook ") + PRELOOP_VERSION);
  app.require_subcommand(1);
  preloop::cmd::add_hook_command(app);
  preloop::cmd::add_test_command(app);
  preloop::cmd::add_rules_command(app);
  preloop::cmd::add_audit_command(app);
  preloop::cmd::add_sync_command(app);
  preloop::cmd::add_scan_command(app);
  preloop::cmd::add_install_commands(app);
  preloop::cmd::add_doctor_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "preloop-hook: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
