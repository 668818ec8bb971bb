// Git commands that replace tracked files wholesale (switching branches,
// merging, rebasing, applying stashes or patches, hard resets to another
// revision) can bring a crafted `.claude/settings*.json` or `.preloop/`
// policy into the work tree. They ask when the repository's history (every
// ref, the reflog, stashes) holds such files, or when that cannot be told.
#pragma once

#include <string>

#include "selfguard/guard.h"
#include "shell/analyze.h"

namespace preloop::selfguard {

// The git subcommand can replace tracked files (and which one, for messages); "" otherwise.
std::string replacing_git_command(const shell::Command& c);

// Runs `git log` in the repository (2 s at most): ask when settings or
// policy files are tracked anywhere in its history or it cannot be told.
Finding check_git_replace(const shell::Command& c, const std::string& what, const std::string& dir);

// Patch text (unified diff or mbox) touching a protected location below `dir`.
const Protected* patch_touches(const std::string& text, const std::string& dir, const ProtectedSet& set);

}  // namespace preloop::selfguard
