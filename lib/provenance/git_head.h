// A git repository's HEAD read from its files, without running git: which
// commit it names and on which branch. Cheap enough to do before a command
// that may commit (a few small reads).
#pragma once

#include <optional>
#include <string>

namespace preloop::provenance {

struct Head {
  std::string top;      // the work tree's top directory
  std::string git_dir;  // the repository (a linked work tree's own directory for worktrees)
  std::string commit;   // 40 (or 64) hex digits; empty on an unborn branch
  std::string branch;   // "main"; empty when HEAD is detached
};

// The repository containing dir (dir itself or a directory above it, with a
// .git directory or a .git file naming one); nullopt outside any repository or
// when HEAD cannot be read.
std::optional<Head> read_head(const std::string& dir);

}  // namespace preloop::provenance
