// The files `preloop-hook scan` reads: the paths given, directories walked
// recursively in name order, skipping `.git` and what the .gitignore files
// of the walked tree ignore. Symbolic links to directories are not followed.
#pragma once

#include <functional>
#include <string>

namespace preloop::scan {

// Calls `file` for each regular file (or other non-directory entry, which
// the reader refuses with a reason) under `root`, with its path as given
// joined with the relative part. Errors reading a directory go to `error`.
void walk(const std::string& root, const std::function<void(const std::string& path)>& file,
          const std::function<void(const std::string& path, const std::string& why)>& error);

}  // namespace preloop::scan
