// `doctor`'s self-test through the real binary: it runs the installed
// PreToolUse command on a synthetic event and on a malformed one.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "cli/run_in.h"

using namespace preloop::testing;
namespace fs = std::filesystem;

namespace {

struct Check {
  std::string status, message;
};

std::map<std::string, Check> doctor(const HookEnv& env, int* exit_code = nullptr) {
  const auto r = run_in(env, env.project(), {"doctor", "--json"});
  if (exit_code) *exit_code = r.exit_code;
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE(j.is_object());
  std::map<std::string, Check> out;
  for (const auto& c : j["checks"])
    if (!out.count(c["id"])) out[c["id"]] = {c["status"], c["message"]};
  return out;
}

// A program called preloop-hook that is not the real one, as the user's hook.
void install_fake(const HookEnv& env, const std::string& script) {
  const std::string bin = env.write("fake/preloop-hook", "#!/bin/sh\n" + script + "\n");
  ::chmod(bin.c_str(), 0755);
  env.write("home/.claude/settings.json",
            nlohmann::json{{"hooks",
                            {{"PreToolUse",
                              {{{"matcher", "*"},
                                {"hooks", {{{"type", "command"}, {"command", bin}, {"args", {"hook"}},
                                            {"timeout", 330}, {"onFailure", "block"}}}}}}}}}}
                .dump());
}

}  // namespace

TEST_CASE("doctor runs the installed hook: a working gate passes both self-tests") {
  HookEnv env("profile: recommended\n");
  REQUIRE(run_in(env, env.project(), {"install"}).exit_code == 0);
  const auto checks = doctor(env);
  REQUIRE(checks.count("hook.self_test"));
  CHECK(checks.at("hook.self_test").status == "ok");
  CHECK(checks.at("hook.self_test").message.find("answered a synthetic Bash call (`echo preloop-hook-doctor-self-test`): none") !=
        std::string::npos);
  CHECK(checks.at("hook.self_test.fail_closed").status == "ok");
  // The synthetic call really went through the hook: it is in the audit trail.
  const auto audit = env.cli({"audit", "list", "--json", "--session", "preloop-hook-doctor"});
  CHECK(nlohmann::json::parse(audit.out).size() == 1);
}

TEST_CASE("doctor's self-test fails a hook that crashes, prints garbage or lets broken input through") {
  HookEnv env;
  int code = 0;
  SUBCASE("exit 1") {
    install_fake(env, "cat >/dev/null; echo 'boom' >&2; exit 1");
    const auto checks = doctor(env, &code);
    CHECK(checks.at("hook.self_test").status == "fail");
    CHECK(checks.at("hook.self_test").message.find("exited with 1 (boom): Claude Code treats that as no decision") !=
          std::string::npos);
    CHECK(code == 1);
  }
  SUBCASE("not the hook protocol") {
    install_fake(env, "cat >/dev/null; echo hello");
    const auto checks = doctor(env, &code);
    CHECK(checks.at("hook.self_test").status == "fail");
    CHECK(checks.at("hook.self_test").message.find("printed something that is not a PreToolUse answer: hello") !=
          std::string::npos);
  }
  SUBCASE("a no-op that answers nothing to everything") {
    install_fake(env, "cat >/dev/null; exit 0");
    const auto checks = doctor(env, &code);
    CHECK(checks.at("hook.self_test").status == "ok");
    CHECK(checks.at("hook.self_test.fail_closed").status == "fail");
    CHECK(checks.at("hook.self_test.fail_closed").message.find("was given a malformed event and exited with 0") !=
          std::string::npos);
    CHECK(code == 1);
  }
}

TEST_CASE("doctor warns when fail_mode: open lets a malformed event through") {
  HookEnv env("profile: recommended\nfail_mode: open\n");
  REQUIRE(run_in(env, env.project(), {"install"}).exit_code == 0);
  const auto checks = doctor(env);
  CHECK(checks.at("hook.self_test").status == "ok");
  CHECK(checks.at("hook.self_test.fail_closed").status == "warn");
}
