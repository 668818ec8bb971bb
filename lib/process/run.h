// Running a program to completion with input on stdin, its output captured
// (capped), and a deadline after which it is killed.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace preloop::process {

struct RunResult {
  bool started = false;
  int exit_code = -1;    // -1 when it did not exit normally
  int signal = 0;        // the signal that ended it, 0 when none
  bool timed_out = false;
  std::string out, err;  // at most max_output bytes each
};

// Runs argv (argv[0] an absolute path) in `dir` (empty: the current one).
RunResult run(const std::vector<std::string>& argv, const std::string& input, const std::string& dir,
              std::chrono::milliseconds timeout, std::size_t max_output = 1u << 20);

}  // namespace preloop::process
