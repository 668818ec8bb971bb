// Runs a helper program (git) with a deadline, capturing its output.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace preloop::selfguard {

struct RunResult {
  int exit_code = -1;  // -1: could not start, killed at the deadline, or died by a signal
  std::string out;     // standard output, at most max_out bytes
};

// argv[0] is looked up in PATH; standard input and error are /dev/null.
RunResult run_with_deadline(const std::vector<std::string>& argv, const std::string& dir,
                            std::chrono::milliseconds timeout, std::size_t max_out = 64 * 1024);

}  // namespace preloop::selfguard
