// The starter configuration and policy written by `preloop-hook install`
// when the user has none yet.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace preloop::install {

std::string starter_config_text(int hook_timeout_seconds);
std::string starter_policy_text();

// Files that `install` creates when absent: the user config file and a
// policy in the user rules directory (none if that directory already has
// files). Returns the paths created; with dry_run nothing is written.
std::vector<std::filesystem::path> create_starter_files(int hook_timeout_seconds, bool dry_run);

// The same for the managed layer (`install --scope managed`, as root): the
// config and a policy in paths::managed_dir(), directories 0755 and files
// 0644, so that every user's hook reads them and none can change them.
std::vector<std::filesystem::path> create_managed_starter_files(int hook_timeout_seconds, bool dry_run);

}  // namespace preloop::install
