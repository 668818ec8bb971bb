// Starting the guard's own background work (policy sync, journal folds) from a
// hook without waiting for it: a new session, stdio on /dev/null, no inherited
// descriptors, default signal dispositions.
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

namespace preloop::process {

// The running binary's path; empty when /proc/self/exe cannot be read.
std::string self_exe();

// Starts `exe args...` with no inherited descriptors and default signal
// dispositions: stdin and stdout on `stdio_fd` (or /dev/null when it is -1),
// stderr on /dev/null, in a new session when `new_session`. The pid, or -1.
pid_t spawn_clean(const std::string& exe, const std::vector<std::string>& args, int stdio_fd, bool new_session);

// Starts `exe args...` detached. False when it could not be started.
bool spawn_detached(const std::string& exe, const std::vector<std::string>& args);

}  // namespace preloop::process
