#include "commands.h"
#include "hook/hook.h"

namespace preloop::cmd {

void add_hook_command(CLI::App& app) {
  auto* sub = app.add_subcommand("hook", "Answer one Claude Code hook event read from stdin (run by Claude Code)");
  sub->callback([] { hook::run_from_stdio(); });
}

}  // namespace preloop::cmd
