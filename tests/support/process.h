// Running the real preloop-hook binary from tests.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace preloop::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string out;
  std::string err;
};

// Runs argv with stdin_text on stdin; env entries are added to (or, with an
// empty value, removed from) the current environment. Waits at most
// timeout_ms, then kills the child and reports signal SIGKILL.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text,
                          const std::map<std::string, std::string>& env = {}, int timeout_ms = 60000);

// Path of the binary under test ($PRELOOP_HOOK_BIN).
std::string hook_binary();

// A fresh temporary directory, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Writes a file below the directory (creating parents); returns its path.
  std::string write(const std::string& relative, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace preloop::testing
