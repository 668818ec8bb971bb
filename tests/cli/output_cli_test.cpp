// Output conventions through the real binary: --version names the commit,
// usage lines carry no build path, colour only on a terminal and never with
// NO_COLOR or TERM=dumb.
#include <doctest/doctest.h>

#include <regex>

#include "cli/run_in.h"

using namespace preloop::testing;

namespace {

std::string git_head() {
  const auto r = run_process({"/usr/bin/git", "-C", PRELOOP_SOURCE_DIR, "rev-parse", "--short=12", "HEAD"}, "");
  return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : "";
}

// `preloop-hook test` on a pseudo-terminal (util-linux script).
ProcessResult on_terminal(const HookEnv& env, const std::map<std::string, std::string>& extra) {
  auto e = env.env();
  for (const auto& [k, v] : extra) e[k] = v;
  return run_process({"/usr/bin/script", "-qec", hook_binary() + " test -- 'sudo rm -rf /'", "/dev/null"}, "", e);
}

}  // namespace

TEST_CASE("--version shows the version and the commit") {
  HookEnv env;
  const auto r = env.cli({"--version"});
  CHECK(r.exit_code == 0);
  std::smatch m;
  REQUIRE(std::regex_match(r.out, m, std::regex("preloop-hook [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit ([0-9a-f]{12}(-dirty)?|unknown)\\)\n")));
  const std::string head = git_head();
  if (!head.empty()) CHECK(m[1].str().substr(0, 12) == head);
}

TEST_CASE("help names the program, not the path it was run by") {
  HookEnv env;
  for (const std::vector<std::string>& args : {std::vector<std::string>{"--help"}, {"audit", "--help"}, {"scan", "--help"}}) {
    const auto r = env.cli(args);
    CHECK(r.out.find("Usage: preloop-hook ") != std::string::npos);
    CHECK(r.out.find(hook_binary()) == std::string::npos);
    CHECK(r.out.find(PRELOOP_BINARY_DIR) == std::string::npos);
  }
}

TEST_CASE("colour on a terminal only, and never with NO_COLOR or TERM=dumb") {
  HookEnv env("profile: recommended\n");
  if (run_process({"/usr/bin/script", "--version"}, "").exit_code != 0) {
    MESSAGE("script(1) not installed: terminal output not checked");
    return;
  }
  const auto tty = on_terminal(env, {{"TERM", "xterm"}, {"NO_COLOR", ""}});
  CHECK(tty.out.find("\033[") != std::string::npos);
  CHECK(tty.out.find("deny") != std::string::npos);
  const auto no_colour = on_terminal(env, {{"TERM", "xterm"}, {"NO_COLOR", "1"}});
  CHECK(no_colour.out.find("deny") != std::string::npos);
  CHECK(no_colour.out.find("\033[") == std::string::npos);
  const auto dumb = on_terminal(env, {{"TERM", "dumb"}, {"NO_COLOR", ""}});
  CHECK(dumb.out.find("\033[") == std::string::npos);
  const auto piped = env.cli({"test", "--", "sudo rm -rf /"});
  CHECK(piped.out.find("deny") != std::string::npos);
  CHECK(piped.out.find("\033[") == std::string::npos);
}
