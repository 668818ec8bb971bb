#include "process/helper.h"

#ifndef PRELOOP_HELPER_FROM_BIN
#define PRELOOP_HELPER_FROM_BIN "../libexec/preloop-hook"
#endif

namespace preloop::process {

std::vector<std::string> network_helper_candidates(const std::string& exe) {
  const auto slash = exe.rfind('/');
  if (slash == std::string::npos) return {};
  const std::string dir = exe.substr(0, slash);
  const std::string installed = PRELOOP_HELPER_FROM_BIN;
  return {dir + "/preloop-hook-http",
          (installed.rfind('/', 0) == 0 ? installed : dir + "/" + installed) + "/preloop-hook-http"};
}

}  // namespace preloop::process
