// Where preloop-hook-http, the network helper of a statically linked
// preloop-hook, may be: beside the binary (the build tree), then in the
// libexec directory the build installs it to, relative to the binary's.
#pragma once

#include <string>
#include <vector>

namespace preloop::process {

// The candidate paths for the binary `exe` (absolute), in lookup order.
std::vector<std::string> network_helper_candidates(const std::string& exe);

}  // namespace preloop::process
