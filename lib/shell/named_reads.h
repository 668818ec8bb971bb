// The paths a command may read because it names them: for a command whose
// effects are not modelled and that is not known to leave file contents
// alone, every path-like word (operands, option values, `@file`, `REV:path`,
// `field=@file`, path-like pieces of one-liner code) is a possible read. A
// recursive grep reads every file below its directories: the environment
// files found there are reads too.
#pragma once

#include <cstddef>
#include <vector>

#include "shell/walker.h"

namespace preloop::shell {

// `first_read`: where the reads apply_effects recorded for this command begin.
void add_named_reads(Walker& w, const Exec& e, const Command& c, const std::vector<Field>& args,
                     std::size_t first_read);

}  // namespace preloop::shell
