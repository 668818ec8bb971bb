// `audit` filters and prune through the real binary: case-insensitive values,
// `pass` for no decision, unknown values and impossible dates refused, and a
// dry run that changes nothing.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "cli/run_in.h"

using namespace preloop::testing;

namespace {

nlohmann::json rows(const HookEnv& env, std::vector<std::string> args) {
  args.insert(args.begin(), {"audit", "list", "--json", "-n", "100"});
  const auto r = env.cli(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

void record_calls(const HookEnv& env) {
  REQUIRE(env.hook(env.bash("ls -la")).exit_code == 0);                 // no decision
  REQUIRE(env.hook(env.bash("sudo rm -rf / --no-preserve-root")).exit_code == 2);  // deny
  REQUIRE(env.hook(env.pre("Read", {{"file_path", "/tmp/x.txt"}})).exit_code == 0);
}

}  // namespace

TEST_CASE("audit filters: any case, pass means no decision, unknown values refused") {
  HookEnv env("profile: recommended\n");
  record_calls(env);
  const auto all = rows(env, {});
  REQUIRE(all.size() == 3);

  const auto pass = rows(env, {"--decision", "pass"});
  REQUIRE(pass.size() == 2);
  for (const auto& r : pass) CHECK(r["decision"] == "none");
  CHECK(rows(env, {"--decision", "PASS"}).size() == 2);
  CHECK(rows(env, {"--decision", "None"}).size() == 2);
  const auto deny = rows(env, {"--decision", "Deny"});
  REQUIRE(deny.size() == 1);
  CHECK(deny[0]["tool"] == "Bash");
  CHECK(rows(env, {"--tool", "bash"}).size() == 2);
  CHECK(rows(env, {"--tool", "READ"}).size() == 1);
  CHECK(rows(env, {"--tool", "bash", "--decision", "DENY"}).size() == 1);

  const auto bad = env.cli({"audit", "list", "--decision", "denied"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("unknown --decision 'denied': use allow, ask, deny, none, approved, declined, timed_out, "
                     "unreachable, auth_error, not_configured, reused, would_allow, would_ask, would_deny, "
                     "would_pass (pass means none: no decision)") !=
        std::string::npos);
  CHECK(bad.out.empty());
  CHECK(env.cli({"audit", "stats", "--decision", "maybe"}).exit_code == 2);
  CHECK(env.cli({"audit", "export", "--decision", "nope"}).exit_code == 2);

  for (const char* date : {"2026-02-31", "2025-02-29T10:00:00Z", "2026-04-31"}) {
    const auto r = env.cli({"audit", "list", "--since", date});
    INFO(date);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(std::string("'") + date + "' is not a time") != std::string::npos);
  }
  CHECK(rows(env, {"--since", "2024-02-29"}).size() == 3);
}

TEST_CASE("audit prune --dry-run says what would go and changes nothing") {
  HookEnv env("profile: recommended\n");
  record_calls(env);
  const auto before = env.cli({"audit", "verify", "--json"});
  const auto dry = env.cli({"audit", "prune", "--older-than", "0s", "--dry-run"});
  INFO(dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(dry.out.find("would prune 3 record(s) (seq 1..3) older than ") != std::string::npos);
  CHECK(dry.out.find("nothing changed") != std::string::npos);
  CHECK(rows(env, {}).size() == 3);
  CHECK(env.cli({"audit", "verify", "--json"}).out == before.out);

  const auto none = env.cli({"audit", "prune", "--older-than", "2020-01-01", "--dry-run"});
  CHECK(none.exit_code == 0);
  CHECK(none.out.find("would prune no records: none is older than 2020-01-01T00:00:00.000Z") != std::string::npos);

  const auto real = env.cli({"audit", "prune", "--older-than", "0s"});
  CHECK(real.exit_code == 0);
  CHECK(real.out.find("pruned 3 record(s)") != std::string::npos);
  CHECK(rows(env, {}).empty());
  CHECK(env.cli({"audit", "prune", "--older-than", "2026-02-30", "--dry-run"}).exit_code == 2);
}
