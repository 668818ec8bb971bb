// SQL text as a rule should match it: comments removed, whitespace collapsed.
#pragma once

#include <string>
#include <string_view>

namespace preloop::shell {

// Lower case; `--` and `#` line comments and `/* */` block comments become one
// space (the body of a MySQL executable comment `/*! … */` is kept, since it
// runs); runs of whitespace become one space. Quoted strings are kept as
// they are (lower-cased), so a keyword inside a literal still matches. A
// leading `--name` is a command-line option, not a comment.
std::string sql_text(std::string_view sql);

}  // namespace preloop::shell
