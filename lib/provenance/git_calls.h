// The git commands of a shell command line that can create commits, and the
// commits a repository gained while one ran.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "shell/analyze.h"

namespace preloop::provenance {

struct GitCall {
  std::string subcommand;  // commit | merge | pull | cherry-pick | revert | am | rebase
  std::string dir;         // where it runs (-C applied); "" when unknown
};

// Whether a command line may run git at all: the cheap test before any analysis.
bool mentions_git(std::string_view command);

// The commit-creating git commands the analysis found, in order.
std::vector<GitCall> commit_calls(const shell::Analysis& a);

struct NewCommit {
  std::string id;
  std::vector<std::string> parents;
};

// The commits reachable from `after` but not from `before` (all of `after`'s
// history, capped, when before is empty), newest first, listed by git in top.
// Of a merge or pull, only a merge commit on top of `before` counts as made by
// the command (a fast-forward brings commits made elsewhere). Empty when git
// fails or does not answer within the timeout.
std::vector<NewCommit> new_commits(const std::string& top, const std::string& before, const std::string& after,
                                   const std::string& subcommand);

}  // namespace preloop::provenance
