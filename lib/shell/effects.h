// What a recorded command does beyond running: the paths it writes, deletes,
// reads or sends, and the nested code it runs (bash -c, eval, find -exec,
// xargs, interpreter one-liners, code piped into a shell).
#pragma once

#include <vector>

#include "shell/options.h"
#include "shell/walker.h"

namespace preloop::shell {

void apply_effects(Walker& w, const Exec& e, const Command& c, const std::vector<Field>& args,
                   const ParsedArgs& pa);

}  // namespace preloop::shell
