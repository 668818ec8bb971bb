#include <memory>

#include "agents/adapter.h"
#include "commands.h"
#include "hook/hook.h"

namespace preloop::cmd {

void add_hook_command(CLI::App& app) {
  auto* sub = app.add_subcommand("hook", "Answer one hook event read from stdin (run by the agent: Claude Code unless "
                                         "--agent names another)");
  auto agent = std::make_shared<std::string>();
  sub->add_option("--agent", *agent, "the agent whose hook format is read and written: " + agents::adapter_names());
  sub->callback([agent] {
    if (agent->empty()) hook::run_from_stdio();
    hook::run_for_agent(*agent);
  });
}

}  // namespace preloop::cmd
