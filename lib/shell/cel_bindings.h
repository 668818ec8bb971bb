// The shell analysis as the CEL variable `shell`, and the functions packs
// use to read it (documented in rules/README.md, "Shell analysis in CEL").
#pragma once

#include <memory>

#include "cel/cel.h"
#include "cel/value.h"
#include "shell/analyze.h"

namespace preloop::shell {

// A view of the analysis: every field is present (empty lists for an empty
// analysis), so rules never meet a missing key, and each part is made into a
// CEL value only when an expression reads it (a command line of thousands of
// commands costs nothing for a rule that looks at `shell.unparseable`). The
// view shares ownership of the analysis.
cel::Value to_cel(std::shared_ptr<const Analysis> analysis);
inline cel::Value to_cel(Analysis analysis) { return to_cel(std::make_shared<const Analysis>(std::move(analysis))); }

// Registers: c.is(name[, sub...]), c.hasFlag(flag...), p.under(dir|dirs),
// p.covers(path|paths), p.matchesGlob(pattern|patterns), p.basename(), s.sqlText().
void register_functions(cel::Env& env);

}  // namespace preloop::shell
