// A bounded recursive-descent parser for bash command lines.
#pragma once

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

#include "shell/ast.h"

namespace preloop::shell {

// Raised when a resource limit is hit: the input is not analysed further.
struct LimitExceeded : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Shared budget of one analysis (parsing plus nested re-parsing). Time is
// the thread's CPU time, so a loaded machine does not turn into "limit hit".
struct Budget {
  std::size_t max_depth = 32;
  std::size_t max_nodes = 50000;    // words + commands across all parses
  std::size_t nodes = 0;
  std::chrono::nanoseconds deadline{0};  // thread CPU time; 0 = none
  void start(std::chrono::microseconds budget);
  void charge(std::size_t n = 1);   // throws LimitExceeded
};

struct ParseResult {
  ast::ListPtr list;
  std::string error;   // first syntax error (parsing recovered past it), empty when clean
};

// Parses `text` as a bash script. Syntax errors are recovered from and
// reported in `error`; resource limits throw LimitExceeded.
ParseResult parse(std::string_view text, Budget& budget, std::size_t depth = 0);

}  // namespace preloop::shell
