#include "commands.h"
#include "hook/hook.h"

namespace preloop::cmd {

void add_hook_command(CLI::App& app) {
  auto* sub = app.add_subcommand("hook", "Answer one Claude Code hook event read from stdin (run by Claude Code)");
  sub->callback([] {
    int code = hook::run_from_stdio();
    if (code != 0) throw CLI::RuntimeError(code);
  });
}

}  // namespace preloop::cmd
