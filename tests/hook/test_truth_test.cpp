// `test`, `test --suite` and inline `tests:` evaluate what the hook does:
// the same layers, the project's trust, the packs of the profile. Suite
// reports: JSON, JUnit XML, rule coverage.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;
using nlohmann::json;

namespace {

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

const char* kProjectPolicy = R"Y(tools:
  - name: Bash
    conditions:
      - {id: proj.make, expression: "args.command == 'make test'", action: allow}
      - {id: proj.x, expression: "args.command == 'x'", action: deny}
tests:
  - {command: make test, expect: pass}
  - {command: x, expect: deny}
)Y";

}  // namespace

TEST_CASE("one truth: an untrusted project's allow is ignored by the hook, test, suites and inline tests alike") {
  HookEnv env;
  auto file = env.write("home/project/.preloop/p.yaml", kProjectPolicy);
  auto suite = env.write("suite.yaml", "cases:\n  - {command: make test, expect: pass}\n  - {command: x, expect: deny}\n");
  CHECK(env.hook(env.bash("make test")).out.empty());
  auto t = env.cli({"test", "--project", env.project(), "--", "make test"});
  CHECK(t.exit_code == 0);
  CHECK(has(t.out, "decision: pass"));
  CHECK(has(t.out, "loaded:\n  project: " + file));
  auto s = env.cli({"test", "--project", env.project(), "--suite", suite});
  INFO(s.out, s.err);
  CHECK(s.exit_code == 0);
  CHECK(has(s.out, "project: " + file));
  auto v = env.cli({"rules", "validate", file});
  INFO(v.out, v.err);
  CHECK(v.exit_code == 0);
  CHECK(has(v.out, "inline tests: 2 passed, 0 failed"));

  // Trusted: all of them see the allow; the inline test expecting pass now fails.
  env.set_config("profile: off\ntrusted_projects: [" + env.project() + "]\n");
  t = env.cli({"test", "--project", env.project(), "--", "make test"});
  CHECK(has(t.out, "decision: allow"));
  s = env.cli({"test", "--project", env.project(), "--suite", suite});
  CHECK(s.exit_code == 1);
  v = env.cli({"rules", "validate", file});
  CHECK(v.exit_code == 1);
  CHECK(has(v.out, "FAIL " + file + ":7:5"));
}

TEST_CASE("one truth: inline tests run with the packs of the profile, and say what they loaded") {
  HookEnv env("profile: recommended\n");
  auto file = env.write("cfg/preloop-hook/rules/mine.yaml",
                        "tools:\n  - name: Bash\n    conditions:\n"
                        "      - {expression: \"args.command == 'deploy'\", action: deny}\n"
                        "tests:\n  - {command: deploy, expect: deny}\n"
                        "  - {command: git push origin feature, expect: ask, rule: git.push}\n");
  auto v = env.cli({"rules", "validate", file});
  INFO(v.out, v.err);
  CHECK(v.exit_code == 0);
  CHECK(has(v.out, "inline tests of " + file + " with:"));
  CHECK(has(v.out, "user: " + file));
  CHECK(has(v.out, "pack: rules/packs/git.yaml"));
  CHECK(has(v.out, "inline tests: 2 passed, 0 failed"));
  // The same file outside any layer is an extra layer on top of the configured ones.
  auto copy = env.write("elsewhere.yaml", "tools: []\ntests:\n  - {command: git push origin feature, expect: ask}\n");
  v = env.cli({"rules", "validate", copy});
  CHECK(v.exit_code == 0);
  CHECK(has(v.out, "cli: " + copy));
}

TEST_CASE("suites: --json and --junit reports, and the rules no case exercises") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", R"Y(tools:
  - name: Bash
    conditions:
      - {id: r.deploy, expression: "args.command == 'deploy'", action: deny}
      - {id: r.push, expression: "args.command.startsWith('git push')", action: require_approval}
      - {expression: "args.command == 'make'", action: allow}
)Y");
  auto suite = env.write("suite.yaml", "name: s\ncases:\n  - {name: no deploy, command: deploy, expect: deny}\n"
                                       "  - {name: wrong, command: make, expect: deny}\n");
  auto text = env.cli({"test", "--suite", suite});
  INFO(text.out, text.err);
  CHECK(text.exit_code == 1);
  CHECK(has(text.out, "1 passed, 1 failed"));
  CHECK(has(text.out, "coverage: 2 of 3 rule(s) exercised; no case exercises:\n  r.push (user, "));

  auto j = env.cli({"test", "--suite", suite, "--json", "--junit", env.dir().path() + "/junit.xml"});
  CHECK(j.exit_code == 1);
  auto report = json::parse(j.out);
  CHECK(report["passed"] == 1);
  CHECK(report["failed"] == 1);
  CHECK(report["suites"][0]["file"] == suite);
  CHECK(report["suites"][0]["cases"][1]["passed"] == false);
  CHECK(has(report["suites"][0]["cases"][1]["got"], "allow by "));
  CHECK(report["coverage"]["rules"] == 3);
  CHECK(report["coverage"]["exercised"] == 2);
  REQUIRE(report["coverage"]["not_exercised"].size() == 1);
  CHECK(report["coverage"]["not_exercised"][0]["rule"] == "r.push");
  bool user_loaded = false;
  for (const auto& f : report["suites"][0]["loaded"]) user_loaded = user_loaded || has(f, "user: ");
  CHECK(user_loaded);

  std::ifstream in(env.dir().path() + "/junit.xml");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string xml = ss.str();
  CHECK(has(xml, "<testsuites name=\"preloop-hook policy tests\" tests=\"2\" failures=\"1\">"));
  CHECK(has(xml, "<testcase classname=\"" + suite + "\" name=\"no deploy\""));
  CHECK(has(xml, "<failure message=\"expected deny, got allow by "));
}
