// Every path the guard depends on: what an adversary with write access to
// any of them could use to weaken or switch off the gate.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "config/config.h"
#include "install/locations.h"

namespace preloop::install {

struct GuardFile {
  std::string role;                // "binary", "managed config", "user rules", "claude settings (user)", ...
  std::filesystem::path path;
  bool enforcing = false;          // managed mode relies on nobody but root changing it
};

// The files and directories of this installation: the binaries the hook
// entries run (and `self`), the plugin root, config files and rules
// directories of every layer, the synced policy, the policy snapshot, Claude
// Code's settings files of every scope, the audit store, journal and key, and
// the fingerprint state. Paths that do not exist are included: creating them
// can change the guard too.
std::vector<GuardFile> guard_files(const ClaudeLocations& claude, const Config* config,
                                   const std::filesystem::path& self);

}  // namespace preloop::install
