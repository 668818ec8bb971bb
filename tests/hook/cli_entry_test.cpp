// A wrong hook entry (a missing or misspelt subcommand, a bad flag) must block
// the call: CLI11's usage codes (104-114) are exits Claude Code lets through.
#include <doctest/doctest.h>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;

TEST_CASE("a command line that does not parse, with a hook event on stdin, denies") {
  HookEnv env;
  const std::string ev = env.bash("rm -rf ~/");
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"hok"}, {"hook", "--strict"}, {"--fast", "hook"}, {"audit", "lst"}}) {
    auto r = env.cli(args, ev);
    INFO("args: " << args.size() << (args.empty() ? "" : " " + args[0]));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("misconfigured") != std::string::npos);
    CHECK(r.err.find("preloop-hook hook") != std::string::npos);
  }
}

TEST_CASE("the same mistakes without a hook event stay ordinary usage errors") {
  HookEnv env;
  auto r = env.cli({"hok"}, "");
  CHECK(r.exit_code != 0);
  CHECK(r.exit_code != 2);
  CHECK(r.err.find("misconfigured") == std::string::npos);
  auto text = env.cli({"hook", "--strict"}, "some text that is not an event\n");
  CHECK(text.exit_code != 2);
}

TEST_CASE("commands that fail on their own terms keep their exit codes") {
  HookEnv env("profile: recommended\n");
  auto r = env.cli({"test", "--", "rm -rf /"}, env.bash("ls"));
  CHECK(r.exit_code == 2);  // `test` says deny with 2 itself
  CHECK(r.err.find("misconfigured") == std::string::npos);
  auto v = env.cli({"rules", "validate", env.dir().path() + "/missing.yaml"}, env.bash("ls"));
  CHECK(v.exit_code == 1);
  CHECK(v.err.find("misconfigured") == std::string::npos);
}
