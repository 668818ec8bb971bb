// `audit replay`: recorded calls re-evaluated against a candidate policy,
// through the real binary and a real audit store.
#include <doctest/doctest.h>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;
using nlohmann::json;

namespace {

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

const char* kCurrent = R"Y(tools:
  - name: Bash
    conditions:
      - {id: net.curl, expression: "args.command.startsWith('curl')", action: deny}
)Y";

const char* kCandidate = R"Y(tools:
  - name: Bash
    conditions:
      - {id: net.curl, expression: "args.command.startsWith('curl')", action: deny}
      - {id: vcs.push, expression: "args.command.startsWith('git push')", action: require_approval}
)Y";

}  // namespace

TEST_CASE("replay: every decision the candidate would change, by change and rule, with examples; exit 1") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kCurrent);
  CHECK(env.hook(env.bash("curl https://x")).exit_code == 2);
  CHECK(env.hook(env.bash("ls -la")).out.empty());
  CHECK(env.hook(env.bash("git push origin main")).out.empty());
  CHECK(env.hook(env.bash("git push origin dev")).out.empty());

  auto same = env.write("same/p.yaml", kCurrent);
  auto r = env.cli({"audit", "replay", "--policy", env.dir().path() + "/same", "--since", "7d"});
  INFO(r.out, r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "4 call(s) re-evaluated, 0 skipped, 0 would change"));
  CHECK(has(r.out, "user: " + same));

  env.write("cand/p.yaml", kCandidate);
  r = env.cli({"audit", "replay", "--policy", env.dir().path() + "/cand"});
  INFO(r.out, r.err);
  CHECK(r.exit_code == 1);
  CHECK(has(r.out, "4 call(s) re-evaluated, 0 skipped, 2 would change"));
  CHECK(has(r.out, "       2  pass -> ask"));
  CHECK(has(r.out, "       2  vcs.push"));
  CHECK(has(r.out, "Bash pass -> ask (no rule -> vcs.push) {\"command\":\"git push origin main\"}"));

  auto j = env.cli({"audit", "replay", "--policy", env.dir().path() + "/cand/p.yaml", "--json", "--tool", "Bash"});
  CHECK(j.exit_code == 1);
  auto report = json::parse(j.out);
  CHECK(report["changed"] == 2);
  CHECK(report["by_change"]["pass -> ask"] == 2);
  CHECK(report["examples"].size() == 2);

  // A time window with nothing in it changes nothing.
  r = env.cli({"audit", "replay", "--policy", env.dir().path() + "/cand", "--until", "2000-01-01"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "0 call(s) re-evaluated"));

  // An invalid candidate compares nothing.
  env.write("bad/p.yaml", "tools:\n  - name: Bash\n    conditons: []\n");
  r = env.cli({"audit", "replay", "--policy", env.dir().path() + "/bad"});
  CHECK(r.exit_code == 2);
  CHECK(has(r.out, "unknown field 'conditons'"));
  r = env.cli({"audit", "replay", "--policy", env.dir().path() + "/nowhere"});
  CHECK(r.exit_code == 2);
}

TEST_CASE("replay: observe-mode records compare their would-be decision; relaxing a rule shows as a change") {
  HookEnv env("profile: off\npolicy: {mode: observe}\n");
  env.write("cfg/preloop-hook/rules/p.yaml", kCurrent);
  CHECK(env.hook(env.bash("curl https://x")).out.empty());  // observed
  env.write("same/p.yaml", kCurrent);
  auto r = env.cli({"audit", "replay", "--policy", env.dir().path() + "/same"});
  INFO(r.out, r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "1 call(s) re-evaluated, 0 skipped, 0 would change"));
  env.write("loose/p.yaml", "tools: []\n");
  r = env.cli({"audit", "replay", "--policy", env.dir().path() + "/loose"});
  CHECK(r.exit_code == 1);
  CHECK(has(r.out, "deny -> pass"));
  CHECK(has(r.out, "(none; was net.curl)"));
}
