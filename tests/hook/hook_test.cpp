// The hook's decisions and its fail-closed behaviour, through the real binary.
#include <doctest/doctest.h>

#include <filesystem>
#include <unistd.h>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;
using nlohmann::json;

namespace {

const char* kBashPolicy = R"Y(
tools:
  - name: bash
    source: claude_code
    conditions:
      - expression: "args.command.contains('rm -rf /')"
        action: deny
        message: "Never delete the root"
      - expression: "args.command.startsWith('git push')"
        approval_workflow: manual-approval
      - expression: "args.command == 'make test'"
        action: allow
        description: "tests are fine"
)Y";

json decision_of(const std::string& out) {
  return json::parse(out)["hookSpecificOutput"];
}

}  // namespace

TEST_CASE("no policy matches: exit 0 and no output (Claude Code's normal flow)") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kBashPolicy);
  auto r = env.hook(env.bash("ls -la"));
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(r.err.empty());
}

TEST_CASE("deny: exit 2, reason on stderr and in the deny JSON") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kBashPolicy);
  auto r = env.hook(env.bash("sudo rm -rf / --no-preserve-root"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("Never delete the root") != std::string::npos);
  CHECK(r.err.find("p.yaml:6") != std::string::npos);
  auto d = decision_of(r.out);
  CHECK(d["hookEventName"] == "PreToolUse");
  CHECK(d["permissionDecision"] == "deny");
}

TEST_CASE("require_approval without an approval service asks, naming the rule and workflow") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kBashPolicy);
  auto r = env.hook(env.bash("git push origin main"));
  CHECK(r.exit_code == 0);
  auto d = decision_of(r.out);
  CHECK(d["permissionDecision"] == "ask");
  std::string reason = d["permissionDecisionReason"];
  CHECK(reason.find("manual-approval") != std::string::npos);
  CHECK(reason.find("p.yaml:9") != std::string::npos);
}

TEST_CASE("allow only when a rule explicitly allows") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kBashPolicy);
  auto r = env.hook(env.bash("make test"));
  CHECK(r.exit_code == 0);
  CHECK(decision_of(r.out)["permissionDecision"] == "allow");
}

TEST_CASE("PostToolUse gives no decision output") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kBashPolicy);
  json ev = {{"hook_event_name", "PostToolUse"}, {"session_id", "s"}, {"cwd", env.project()},
             {"tool_name", "Bash"}, {"tool_input", {{"command", "rm -rf /"}}},
             {"tool_response", {{"stdout", "ok"}, {"stderr", ""}, {"interrupted", false}, {"isImage", false}}},
             {"tool_use_id", "t1"}};
  auto r = env.hook(ev.dump());
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
}

TEST_CASE("tolerates unknown and missing optional fields") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kBashPolicy);
  auto r = env.hook(R"Y({"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"rm -rf /"},
                        "some_future_field":{"x":1}})Y");
  CHECK(r.exit_code == 2);
}

TEST_CASE("events that are not tool events are ignored") {
  HookEnv env;
  auto r = env.hook(R"Y({"hook_event_name":"SessionStart","session_id":"s","source":"startup"})Y");
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
}

TEST_CASE("fail closed: every internal failure is a deliberate deny, never exit 1") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kBashPolicy);
  struct Case {
    const char* name;
    std::string input;
    const char* reason;
  };
  std::string full = env.bash("ls");
  std::vector<Case> cases = {
      {"malformed JSON", "{not json", "not valid JSON"},
      {"truncated input", full.substr(0, full.size() / 2), "not valid JSON"},
      {"empty input", "", "empty hook input"},
      {"not an object", "[1,2]", "must be a JSON object"},
      {"no tool_input", R"Y({"hook_event_name":"PreToolUse","tool_name":"Bash"})Y", "no 'tool_input'"},
      {"tool_input not an object", R"Y({"hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":"ls"})Y",
       "'tool_input' must be a JSON object"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    auto r = env.hook(c.input);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("blocked") != std::string::npos);
    CHECK(r.err.find(c.reason) != std::string::npos);
    CHECK(decision_of(r.out)["permissionDecision"] == "deny");
  }
}

TEST_CASE("fail closed: oversized input is refused with the cap in the reason") {
  HookEnv env("profile: off\nmax_input_bytes: 4096\n");
  std::string big = env.pre("Write", {{"file_path", "/tmp/x"}, {"content", std::string(10000, 'a')}});
  auto r = env.hook(big);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("exceeds the size cap of 4096 bytes") != std::string::npos);
}

TEST_CASE("the default input cap takes large Write contents") {
  HookEnv env;
  std::string big = env.pre("Write", {{"file_path", "/tmp/x"}, {"content", std::string(8 << 20, 'a')}});
  auto r = env.hook(big);
  CHECK(r.exit_code == 0);
}

TEST_CASE("fail closed: invalid policies deny every call with the location") {
  HookEnv env;
  SUBCASE("YAML syntax error") {
    env.write("cfg/preloop-hook/rules/bad.yaml", "tools:\n  - name: bash\n    conditions: [\n");
    auto r = env.hook(env.bash("ls"));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("invalid policy") != std::string::npos);
    CHECK(r.err.find("bad.yaml:") != std::string::npos);
  }
  SUBCASE("unknown action") {
    env.write("cfg/preloop-hook/rules/bad.yaml",
              "tools:\n  - name: bash\n    conditions:\n      - expression: 'true'\n        action: block\n");
    auto r = env.hook(env.bash("ls"));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("bad.yaml:5:17: unknown action 'block'") != std::string::npos);
  }
  SUBCASE("bad regex") {
    env.write("cfg/preloop-hook/rules/bad.yaml",
              "tools:\n  - name: bash\n    conditions:\n      - expression: \"args.command.matches('(unclosed')\"\n"
              "        action: deny\n");
    auto r = env.hook(env.bash("ls"));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("Invalid policy expression") != std::string::npos);
  }
  SUBCASE("unreadable policy file") {
    auto f = env.write("cfg/preloop-hook/rules/p.yaml", kBashPolicy);
    std::filesystem::permissions(f, std::filesystem::perms::none);
    if (::geteuid() == 0) return;  // root reads anything
    auto r = env.hook(env.bash("ls"));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("cannot read policy file") != std::string::npos);
  }
  SUBCASE("invalid config") {
    env.set_config("fail_mode: sometimes\n");
    auto r = env.hook(env.bash("ls"));
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("invalid config") != std::string::npos);
  }
}

TEST_CASE("fail closed on PostToolUse: the unchecked output is withheld from the model, in its own shape") {
  HookEnv env("fail_mode: sometimes\n");
  json ev = {{"hook_event_name", "PostToolUse"}, {"session_id", "s"}, {"cwd", env.project()},
             {"tool_name", "Bash"}, {"tool_input", {{"command", "env"}}},
             {"tool_response", {{"stdout", "AWS_SECRET_ACCESS_KEY=abc"}, {"stderr", ""}, {"interrupted", false},
                                {"isImage", false}}},
             {"tool_use_id", "t1"}};
  auto r = env.hook(ev.dump());
  CHECK(r.exit_code == 0);
  auto d = decision_of(r.out);
  CHECK(d["hookEventName"] == "PostToolUse");
  auto out = d["updatedToolOutput"];
  CHECK(out["stdout"].get<std::string>().find("withheld") != std::string::npos);
  CHECK(out["interrupted"] == false);
  CHECK(out["isImage"] == false);
  CHECK(r.out.find("abc") == std::string::npos);
}

TEST_CASE("a condition that fails at run time requires approval (Preloop fails closed per rule)") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml",
            "tools:\n  - name: bash\n    conditions:\n      - expression: \"args.timeout > 100\"\n"
            "        condition_type: cel\n        action: deny\n");
  auto r = env.hook(env.bash("ls"));  // no 'timeout' key: an evaluation error
  CHECK(r.exit_code == 0);
  auto d = decision_of(r.out);
  CHECK(d["permissionDecision"] == "ask");
  CHECK(d["permissionDecisionReason"].get<std::string>().find("failing closed") != std::string::npos);
}

TEST_CASE("fail_mode: open gives no decision and warns loudly") {
  HookEnv env("profile: off\nfail_mode: open\n");
  auto r = env.hook("{garbage");
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(r.err.find("FAIL-OPEN") != std::string::npos);
}

TEST_CASE("layers: the most restrictive answer wins") {
  HookEnv env;
  env.write("managed/rules/org.yaml",
            "tools:\n  - name: Bash\n    conditions:\n      - expression: \"args.command.contains('curl')\"\n"
            "        action: deny\n        message: org says no\n");
  env.write("cfg/preloop-hook/rules/me.yaml",
            "tools:\n  - name: Bash\n    conditions:\n      - expression: \"args.command.contains('curl')\"\n"
            "        action: allow\n      - expression: \"args.command.contains('wget')\"\n        action: allow\n");
  auto r = env.hook(env.bash("curl https://example.com"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("org says no") != std::string::npos);
  r = env.hook(env.bash("wget https://example.com"));
  CHECK(decision_of(r.out)["permissionDecision"] == "allow");
}

TEST_CASE("layers: the synced policy is enforced") {
  HookEnv env;
  env.write("data/preloop-hook/synced/policy.json",
            R"Y({"version":"1.0","metadata":{"name":"acct"},"tools":[{"name":"Bash","source":"agent",
               "conditions":[{"expression":"args.command.contains('drop')","action":"deny","description":"synced"}]}]})Y");
  auto r = env.hook(env.bash("psql -c 'drop table x'"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("synced") != std::string::npos);
}

TEST_CASE("layers: a project's allow is ignored unless the project is trusted") {
  HookEnv env;
  const char* allow_all = "tools:\n  - name: Bash\n    conditions:\n      - expression: 'true'\n        action: allow\n";
  const char* deny_x = "tools:\n  - name: Bash\n    conditions:\n      - expression: \"args.command == 'x'\"\n"
                       "        action: deny\n";
  env.write("home/project/.preloop/policy.yaml", allow_all);
  env.write("home/project/.preloop/deny.yaml", deny_x);
  auto r = env.hook(env.bash("rm -rf ~/work"));
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());  // allow ignored: no decision
  r = env.hook(env.bash("x"));
  CHECK(r.exit_code == 2);  // a project may always tighten
  env.set_config("profile: off\ntrusted_projects: [" + env.project() + "]\n");
  // In a new session: trusting the project during one is a weakening, asked about first.
  json next = json::parse(env.bash("rm -rf ~/work"));
  next["session_id"] = "s-next";
  r = env.hook(next.dump());
  CHECK(decision_of(r.out)["permissionDecision"] == "allow");
}

TEST_CASE("tool matching: case-insensitive names, globs, groups, MCP sources") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", R"Y(
tools:
  - name: WRITE
    conditions:
      - {expression: "args.path.endsWith('.env')", action: deny}
  - name: "@file_write"
    conditions:
      - {expression: "args.path.endsWith('.pem')", action: deny}
  - name: "mcp__github__*"
    conditions:
      - {expression: "true", action: require_approval}
  - name: delete_file
    source: filesystem
    conditions:
      - {expression: "true", action: deny}
  - name: [Read, Grep]
    conditions:
      - {expression: "has(args.path) && args.path.contains('secret')", action: deny}
)Y");
  CHECK(env.hook(env.pre("Write", {{"file_path", "/p/.env"}, {"content", ""}})).exit_code == 2);
  CHECK(env.hook(env.pre("Edit", {{"file_path", "/p/.env"}, {"old_string", "a"}, {"new_string", "b"}})).exit_code == 0);
  CHECK(env.hook(env.pre("Edit", {{"file_path", "/p/k.pem"}, {"old_string", "a"}, {"new_string", "b"}})).exit_code == 2);
  CHECK(env.hook(env.pre("NotebookEdit", {{"notebook_path", "/p/k.pem"}, {"new_source", ""}})).exit_code == 2);
  auto r = env.hook(env.pre("mcp__github__create_issue", {{"title", "x"}}));
  CHECK(decision_of(r.out)["permissionDecision"] == "ask");
  CHECK(env.hook(env.pre("mcp__gitlab__create_issue", {{"title", "x"}})).out.empty());
  CHECK(env.hook(env.pre("mcp__filesystem__delete_file", {{"path", "/x"}})).exit_code == 2);
  CHECK(env.hook(env.pre("delete_file", {{"path", "/x"}})).exit_code == 0);  // native tool of that name: no
  CHECK(env.hook(env.pre("Grep", {{"pattern", "x"}, {"path", "/p/secret"}})).exit_code == 2);
}

TEST_CASE("a tool with a workflow and no conditions requires approval for every call; disabled tools are denied") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml",
            "tools:\n  - name: bash\n    approval_workflow: manual-approval\n  - name: WebFetch\n    enabled: false\n");
  auto r = env.hook(env.bash("echo hi"));
  CHECK(decision_of(r.out)["permissionDecision"] == "ask");
  r = env.hook(env.pre("WebFetch", {{"url", "https://x"}, {"prompt", "p"}}));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("disabled") != std::string::npos);
}

TEST_CASE("expression variables: args.cwd, args.path alias, tool, session") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", R"Y(
tools:
  - name: "*"
    conditions:
      - {expression: "tool.is_mcp && tool.server == 'db'", action: deny, id: mcp-db}
      - {expression: "has(args.path) && !args.path.startsWith(args.cwd)", action: require_approval, id: outside}
      - {expression: "session.permission_mode == 'bypassPermissions'", action: deny, id: bypass}
)Y");
  CHECK(env.hook(env.pre("mcp__db__query", {{"sql", "select 1"}})).exit_code == 2);
  auto r = env.hook(env.pre("Write", {{"file_path", "/etc/passwd"}, {"content", ""}}));
  CHECK(decision_of(r.out)["permissionDecision"] == "ask");
  CHECK(env.hook(env.pre("Write", {{"file_path", env.project() + "/a.txt"}, {"content", ""}})).out.empty());
  json ev = json::parse(env.bash("ls"));
  ev["permission_mode"] = "bypassPermissions";
  CHECK(env.hook(ev.dump()).exit_code == 2);
}

TEST_CASE("simple conditions behave as Preloop's: missing field is null") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", R"Y(
tools:
  - name: mcp__pay__transfer
    conditions:
      - {expression: "amount > 300", action: require_approval}
      - {expression: "args.currency != 'EUR'", action: deny}
)Y");
  auto r = env.hook(env.pre("mcp__pay__transfer", {{"amount", "1000000"}, {"currency", "EUR"}}));
  CHECK(decision_of(r.out)["permissionDecision"] == "ask");  // numeric string coerced
  r = env.hook(env.pre("mcp__pay__transfer", {{"amount", 5}, {"currency", "EUR"}}));
  CHECK(r.out.empty());
  r = env.hook(env.pre("mcp__pay__transfer", {{"amount", 5}}));
  CHECK(r.exit_code == 2);  // currency missing: null != 'EUR'
}

TEST_CASE("deeply nested commands are answered (approval), never a crash") {
  HookEnv env("profile: recommended\naudit: {enabled: false}\n");
  auto repeat = [](std::string_view s, int k) {
    std::string out;
    for (int i = 0; i < k; ++i) out += s;
    return out;
  };
  for (const std::string& cmd : {"echo " + repeat("$( ", 10000) + "x" + repeat(" )", 10000),
                                 repeat("( ", 10000) + "ls" + repeat(" )", 10000), repeat("f() ", 10000) + "{ ls; }",
                                 "echo ${x:-" + repeat("${x:-", 200000) + "y" + repeat("}", 200000) + "}",
                                 repeat("xargs ", 10000) + "ls"}) {
    CAPTURE(cmd.substr(0, 20));
    auto r = env.hook(env.bash(cmd));
    REQUIRE(r.signal == 0);
    CHECK(r.exit_code == 0);
    auto d = decision_of(r.out);
    CHECK(d["permissionDecision"] == "ask");
    CHECK(d["permissionDecisionReason"].get<std::string>().find("execution.unparseable") != std::string::npos);
  }
}

TEST_CASE("a 64 KiB command gets the decision of its short form") {
  HookEnv env("profile: recommended\naudit: {enabled: false}\n");
  std::string body;
  while (body.size() < 64 * 1024) body += "export PATH=\"$HOME/bin:$PATH\"  # line " + std::to_string(body.size()) + "\n";
  auto big = env.hook(env.bash("cat > /etc/profile.d/path.sh <<'EOF'\n" + body + "EOF"));
  auto small = env.hook(env.bash("cat > /etc/profile.d/path.sh <<'EOF'\nexport X=1\nEOF"));
  CHECK(big.exit_code == small.exit_code);
  CHECK(big.out == small.out);
  CHECK_FALSE(small.out.empty());
}
