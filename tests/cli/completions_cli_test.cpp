// The shell completions shipped in packaging/completions: every command the
// binary has is offered, and the bash one completes for real.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "cli/run_in.h"

using namespace preloop::testing;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Command names under "Subcommands:" in a --help text.
std::vector<std::string> commands_of(const std::string& help) {
  std::vector<std::string> out;
  std::istringstream in(help.substr(help.find("Subcommands:")));
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line) && line.rfind("  ", 0) == 0) out.push_back(line.substr(2, line.find(' ', 2) - 2));
  return out;
}

std::string bash_complete(const std::string& words) {
  const std::string script = std::string("source ") + PRELOOP_SOURCE_DIR +
                             "/packaging/completions/preloop-hook.bash; COMP_WORDS=(" + words +
                             "); COMP_CWORD=$((${#COMP_WORDS[@]}-1)); _preloop_hook; echo \"${COMPREPLY[*]}\"";
  return run_process({"/bin/bash", "--norc", "-c", script}, "").out;
}

}  // namespace

TEST_CASE("bash, zsh and fish completions offer every command and audit subcommand") {
  HookEnv env;
  const auto top = commands_of(env.cli({"--help"}).out);
  const auto audit = commands_of(env.cli({"audit", "--help"}).out);
  const auto rules = commands_of(env.cli({"rules", "--help"}).out);
  REQUIRE(top.size() >= 9);
  for (const char* file : {"preloop-hook.bash", "_preloop-hook", "preloop-hook.fish"}) {
    const std::string text = slurp(std::string(PRELOOP_SOURCE_DIR) + "/packaging/completions/" + file);
    for (const auto& names : {top, audit, rules})
      for (const auto& c : names) {
        INFO(file << " lacks " << c);
        CHECK(text.find(c) != std::string::npos);
      }
  }
}

TEST_CASE("the bash completion completes commands, subcommands and values") {
  CHECK(bash_complete("preloop-hook au") == "audit\n");
  CHECK(bash_complete("preloop-hook audit pr") == "prune\n");
  CHECK(bash_complete("preloop-hook audit list --decision re") == "reused\n");
  CHECK(bash_complete("preloop-hook install --scope pro") == "project\n");
  CHECK(bash_complete("preloop-hook scan --format s") == "sarif\n");
  CHECK(bash_complete("preloop-hook audit export --format j") == "json jsonl\n");
}
