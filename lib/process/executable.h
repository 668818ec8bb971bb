// Whether a path names a program this user may run.
#pragma once

#include <string>

namespace preloop::process {

// A regular file (after symlinks) the caller may execute.
bool executable_file(const std::string& path);

}  // namespace preloop::process
