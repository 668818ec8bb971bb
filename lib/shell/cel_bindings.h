// The shell analysis as the CEL variable `shell`, and the functions packs
// use to read it (documented in rules/README.md, "Shell analysis in CEL").
#pragma once

#include "cel/cel.h"
#include "cel/value.h"
#include "shell/analyze.h"

namespace preloop::shell {

// Every field is present (empty lists for an empty analysis), so rules
// never meet a missing key.
cel::Value to_cel(const Analysis& analysis);

// Registers: c.is(name[, sub...]), c.hasFlag(flag...), p.under(dir|dirs),
// p.covers(path|paths), p.matchesGlob(pattern|patterns), p.basename().
void register_functions(cel::Env& env);

}  // namespace preloop::shell
