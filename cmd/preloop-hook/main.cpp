// preloop-hook: the Claude Code hook that enforces policies on tool calls.
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "hook/hook.h"
#include "preloop_commit.h"
#include "process/linkage.h"

namespace preloop::cmd {

bool colour_stdout() {
  const char* no_colour = std::getenv("NO_COLOR");
  const char* term = std::getenv("TERM");
  return ::isatty(1) && !(no_colour && *no_colour) && !(term && std::strcmp(term, "dumb") == 0);
}

}  // namespace preloop::cmd

int main(int argc, char** argv) {
  // Everything the guard creates (audit store, journal, key, snapshots,
  // exports, its directories) is owner-only, whatever umask the caller left.
  ::umask(077);
  // The hook runs on every tool call: skip building the whole CLI for it.
  if (argc >= 2 && std::strcmp(argv[1], "hook") == 0) {
    if (argc == 2) preloop::hook::run_from_stdio();
    if (argc == 4 && std::strcmp(argv[2], "--agent") == 0) preloop::hook::run_for_agent(argv[3]);
    if (argc == 3 && std::strncmp(argv[2], "--agent=", 8) == 0) preloop::hook::run_for_agent(argv[2] + 8);
  }
  preloop::process::nss_files_only_if_static();

  // Named, so that usage lines say "preloop-hook", not the path it was run by.
  CLI::App app{"preloop-hook: policy gate, audit trail and human approval for Claude Code tool calls", "preloop-hook"};
  app.set_version_flag("--version", std::string("preloop-hook ") + PRELOOP_VERSION + " (commit " + PRELOOP_COMMIT + ")");
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
    // A wrong hook entry must block, not exit with a code Claude Code lets through.
    if (e.get_exit_code() != 0 && !dynamic_cast<const CLI::RuntimeError*>(&e))
      if (int denied = preloop::hook::deny_if_hook_event(e.what()); denied >= 0) return denied;
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "preloop-hook: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
