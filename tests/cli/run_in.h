// Running the real binary in a chosen working directory with extra environment.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hook/hook_env.h"

namespace preloop::testing {

inline ProcessResult run_in(const HookEnv& env, const std::string& dir, const std::vector<std::string>& args,
                            const std::map<std::string, std::string>& extra = {}, const std::string& stdin_text = "") {
  std::vector<std::string> argv{"/bin/sh", "-c", "cd \"$1\" && shift && exec \"$@\"", "sh", dir, hook_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto e = env.env();
  for (const auto& [k, v] : extra) e[k] = v;
  return run_process(argv, stdin_text, e);
}

}  // namespace preloop::testing
