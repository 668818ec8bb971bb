// Starting the guard's own background work (policy sync, journal folds) from a
// hook without waiting for it: a new session, stdio on /dev/null, no inherited
// descriptors, default signal dispositions.
#pragma once

#include <string>
#include <vector>

namespace preloop::process {

// The running binary's path; empty when /proc/self/exe cannot be read.
std::string self_exe();

// Starts `exe args...` detached. False when it could not be started.
bool spawn_detached(const std::string& exe, const std::vector<std::string>& args);

}  // namespace preloop::process
