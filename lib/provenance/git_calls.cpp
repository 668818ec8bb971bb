#include "provenance/git_calls.h"

#include <chrono>
#include <sstream>

#include "install/hook_entries.h"
#include "process/run.h"

namespace preloop::provenance {

bool mentions_git(std::string_view command) { return command.find("git") != std::string_view::npos; }

std::vector<GitCall> commit_calls(const shell::Analysis& a) {
  static constexpr std::string_view kCreating[] = {"commit", "merge", "pull", "cherry-pick", "revert", "am", "rebase"};
  std::vector<GitCall> out;
  for (const shell::Command& c : a.commands) {
    if (c.name != "git" || c.operands.empty()) continue;
    for (std::string_view sub : kCreating)
      if (c.operands[0] == sub) out.push_back({c.operands[0], c.cwd});
  }
  return out;
}

std::vector<NewCommit> new_commits(const std::string& top, const std::string& before, const std::string& after,
                                   const std::string& subcommand) {
  static const std::string git = install::find_on_path("git").string();
  if (git.empty() || after.empty() || before == after) return {};
  std::vector<std::string> argv = {git, "--no-pager", "--no-optional-locks", "-c", "core.fsmonitor=false", "-C", top,
                                   "rev-list", "--parents",
                                   "-n", "100", after};
  if (!before.empty()) argv.push_back("^" + before);
  argv.push_back("--");
  process::RunResult r = process::run(argv, "", top, std::chrono::milliseconds(3000));
  if (r.exit_code != 0) return {};
  std::vector<NewCommit> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    NewCommit c;
    words >> c.id;
    for (std::string p; words >> p;) c.parents.push_back(p);
    if (!c.id.empty()) out.push_back(std::move(c));
  }
  if (subcommand == "merge" || subcommand == "pull") {
    // Only the merge commit the command made on top of the old HEAD.
    const bool made = !out.empty() && out.front().id == after && out.front().parents.size() >= 2 &&
                      out.front().parents.front() == before;
    out.resize(made ? 1 : 0);
  }
  return out;
}

}  // namespace preloop::provenance
