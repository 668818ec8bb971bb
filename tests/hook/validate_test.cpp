// `rules validate` and `test` through the real binary.
#include <doctest/doctest.h>

#include <filesystem>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;
using nlohmann::json;

namespace {
std::string examples() { return std::string(PRELOOP_SOURCE_DIR) + "/rules/examples"; }
bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }
}  // namespace

TEST_CASE("every example of the guide loads, and its inline tests pass") {
  HookEnv env;
  std::vector<std::string> args{"rules", "validate"};
  for (const auto& e : std::filesystem::directory_iterator(examples())) args.push_back(e.path().string());
  REQUIRE(args.size() >= 12);
  auto r = env.cli(args);
  INFO(r.out, r.err);
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "0 error(s)"));
  CHECK(has(r.out, " 0 failed"));
  // The guide's own pitfalls are pointed out.
  CHECK(has(r.err, "protect-production-config.yaml:3:5: warning: this policy covers Write but not Edit"));
  CHECK(has(r.err, "browser.yaml:6:5: warning: unknown tool 'browser'"));
  CHECK(!has(r.err, "unreachable"));  // phased-rollout: the catch-all is last
}

TEST_CASE("validate reports errors with file:line:col and a caret inside the expression") {
  HookEnv env;
  auto f = env.write("p.yaml", R"Y(tools:
  - name: bash
    conditions:
      - expression: "args.command.contains('x') &&"
        action: deny
      - expression: "true"
        action: require_approval
        approval_workflow: nowhere
      - expression: "args.command == 'y'"
        action: deny
  - name: Write
    conditions:
      - expression: "args.content_type == 'x'"
        action: deny
)Y");
  auto r = env.cli({"rules", "validate", f});
  INFO(r.out, r.err);
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, f + ":4:"));
  CHECK(has(r.err, "error: invalid expression"));
  CHECK(has(r.err, "^"));
  CHECK(has(r.err, f + ":9:9: warning: condition is unreachable"));
  CHECK(has(r.err, "approval workflow 'nowhere' is not defined"));
  CHECK(has(r.err, "field 'args.content_type' does not exist in the input of Write"));
  CHECK(has(r.out, "1 error(s)"));
}

TEST_CASE("validate fails on a failing inline test and on YAML errors") {
  HookEnv env;
  auto f = env.write("p.yaml", "tools:\n  - name: bash\n    conditions:\n"
                               "      - {expression: \"args.command == 'a'\", action: deny}\n"
                               "tests:\n  - {command: b, expect: deny}\n");
  auto r = env.cli({"rules", "validate", f});
  CHECK(r.exit_code == 1);
  CHECK(has(r.out, "FAIL " + f + ":6:5"));
  auto g = env.write("q.yaml", "tools: [\n");
  r = env.cli({"rules", "validate", g});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, g + ":"));
}

TEST_CASE("test: decision, rule and trace; exit codes 0/2/3") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", R"Y(tools:
  - name: bash
    conditions:
      - {expression: "args.command.startsWith('git push')", action: require_approval, id: push}
      - {expression: "args.command.contains('rm -rf /')", action: deny, id: root, description: no root}
)Y");
  auto r = env.cli({"test", "--", "rm -rf /"});
  CHECK(r.exit_code == 2);
  CHECK(has(r.out, "decision: deny"));
  CHECK(has(r.out, "rule:     root (user, "));
  CHECK(has(r.out, "no match"));
  CHECK(has(r.out, "matched: deny"));
  r = env.cli({"test", "--", "git", "push"});
  CHECK(r.exit_code == 3);
  r = env.cli({"test", "--", "ls"});
  CHECK(r.exit_code == 0);
  CHECK(has(r.out, "pass (no decision)"));
  r = env.cli({"test", "--json", "--tool", "Bash", "--input", R"Y({"command":"rm -rf /"})Y"});
  auto j = json::parse(r.out);
  CHECK(j["decision"] == "deny");
  CHECK(j["rule"]["id"] == "root");
  CHECK(j["trace"].size() == 2);
  r = env.cli({"test", "--input", "{nope"});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "--input is not valid JSON"));
}

TEST_CASE("test never writes the audit log") {
  HookEnv env;
  env.cli({"test", "--", "ls"});
  CHECK(!std::filesystem::exists(env.dir().path() + "/data/preloop-hook/audit.db"));
}

TEST_CASE("test --suite prints failures with their trace and a closing count") {
  HookEnv env;
  auto rules = env.write("r.yaml", "tools:\n  - name: bash\n    conditions:\n"
                                   "      - {expression: \"args.command == 'a'\", action: deny, id: a}\n");
  auto suite = env.write("s.yaml", "name: s\ncases:\n  - {name: one, command: a, expect: deny, rule: a}\n"
                                   "  - {name: two, command: b, expect: deny}\n"
                                   "  - {name: three, tool: Read, input: {file_path: /x}, expect: pass}\n");
  auto r = env.cli({"test", "--rules", rules, "--suite", suite});
  CHECK(r.exit_code == 1);
  CHECK(has(r.out, "FAIL " + suite + ":4:5  two"));
  CHECK(has(r.out, "2 passed, 1 failed"));
}
