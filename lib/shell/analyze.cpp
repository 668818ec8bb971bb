#include "shell/analyze.h"

#include <algorithm>
#include <array>

#include "shell/parser.h"
#include "shell/walker.h"

namespace preloop::shell {

Analysis analyze(std::string_view command, const Context& ctx, const Limits& limits) {
  Analysis out;
  if (command.size() > limits.max_bytes) {
    out.unparseable = true;
    out.error = "command longer than " + std::to_string(limits.max_bytes) + " bytes";
    return out;
  }
  Budget budget;
  budget.max_depth = limits.max_depth;
  budget.max_nodes = limits.max_words;
  budget.start(limits.time_budget);
  // Each command separator may start a command: room for them up front, so a
  // long chain does not copy its growing command list a dozen times.
  static constexpr auto kSeparator = [] {
    std::array<bool, 256> t{};
    for (unsigned char c : std::string_view(";&|\n")) t[c] = true;
    return t;
  }();
  std::size_t separators = 1;
  for (std::size_t i = 0; i < command.size() && separators < limits.max_commands; ++i)
    separators += kSeparator[static_cast<unsigned char>(command[i])];
  out.commands.reserve(std::min(separators, limits.max_commands));
  Walker walker(ctx, limits, budget, out);
  try {
    walker.run_top(command);
  } catch (const LimitExceeded& e) {
    out.unparseable = true;
    out.error = e.what();
  } catch (const std::exception& e) {
    // A defect of the analyser, never a reason to let a command through: the
    // command is unparseable, which the packs answer with at least ask.
    out.unparseable = true;
    out.error = std::string("analysis failed: ") + e.what();
  }
  return out;
}

}  // namespace preloop::shell
