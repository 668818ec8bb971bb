// CEL parser: tokens -> syntax tree, with macro expansion and limits on
// nesting and length so hostile input cannot exhaust the stack.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "cel/ast.h"

namespace cel {

struct ParseLimits {
  std::size_t max_length = 100000;  // bytes of source
  int max_depth = 200;              // nesting of the syntax tree and of the parser
};

struct ParseResult {
  ExprPtr expr;  // null on error
  std::string error;
  std::size_t error_offset = 0;
};

ParseResult parse(std::string_view source, const ParseLimits& limits = {});

}  // namespace cel
