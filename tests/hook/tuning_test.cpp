// Rule tuning (disable, override), strict policy keys and observe mode,
// through the real binary.
#include <doctest/doctest.h>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;
using nlohmann::json;

namespace {

bool has(const std::string& s, const std::string& what) { return s.find(what) != std::string::npos; }

json decision_of(const std::string& out) { return json::parse(out)["hookSpecificOutput"]; }

// The PreToolUse records of the audit trail, oldest first.
std::vector<json> pre_records(const HookEnv& env) {
  auto r = env.cli({"audit", "list", "--json", "-n", "1000"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::vector<json> out;
  for (const auto& e : json::parse(r.out))
    if (e["hook_event"] == "PreToolUse") out.push_back(e);
  return out;
}

const char* kRecommended = "profile: recommended\n";

}  // namespace

TEST_CASE("strict policies: misspelt keys are errors with file:line:col and a suggestion, in validate and the hook") {
  HookEnv env;
  auto f = env.write("cfg/preloop-hook/rules/p.yaml", R"Y(tools:
  - name: Bash
    condtions:
      - expression: "args.command == 'x'"
        acton: deny
)Y");
  auto v = env.cli({"rules", "validate", f});
  INFO(v.out, v.err);
  CHECK(v.exit_code == 1);
  CHECK(has(v.err, f + ":3:5: error: unknown field 'condtions' in tool (did you mean 'conditions'?)"));
  CHECK(has(v.out, "1 error(s)"));
  // The hook fails closed on the same file.
  auto r = env.hook(env.bash("ls"));
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "invalid policy: " + f + ":3:5: unknown field 'condtions'"));

  auto g = env.write("q.yaml", R"Y(tools:
  - name: Bash
    conditions:
      - {expression: "true", acton: deny}
      - {expression: "true", action: block}
      - {expression: "true", action: deny, enabled: maybe}
      - {expression: ["a"], action: deny}
)Y");
  v = env.cli({"rules", "validate", g});
  INFO(v.out, v.err);
  CHECK(v.exit_code == 1);
  CHECK(has(v.err, g + ":4:30: error: unknown field 'acton' in condition (did you mean 'action'?)"));
  CHECK(has(v.err, g + ":5:38: error: unknown action 'block' (allow, deny or require_approval)"));
  CHECK(has(v.err, g + ":6:53: error: enabled must be true or false"));
  CHECK(has(v.err, g + ":7:22: error: expression must be a string"));
  auto h = env.write("s.yaml", "metadata: {name: x, descripton: y}\ntools: []\ntests:\n  - {command: ls, expcet: pass}\n");
  v = env.cli({"rules", "validate", h});
  CHECK(has(v.err, h + ":1:21: error: unknown field 'descripton' in metadata (did you mean 'description'?)"));
  CHECK(has(v.err, h + ":4:19: error: unknown field 'expcet' in test case (did you mean 'expect'?)"));
}

TEST_CASE("tuning: a pack rule disabled by id, with its reason shown in the trace; an expired entry does not apply") {
  HookEnv env(kRecommended);
  CHECK(decision_of(env.hook(env.bash("git push origin feature")).out)["permissionDecision"] == "ask");
  HookEnv tuned(kRecommended);
  tuned.write("cfg/preloop-hook/rules/tuning.yaml",
              "disable:\n  - {rule: git.push, reason: \"we push feature branches all day\", expires: 2999-12-31}\n");
  auto r = tuned.hook(tuned.bash("git push origin feature"));
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(tuned.hook(tuned.bash("git push --force origin main")).exit_code == 2);  // other rules stay
  auto t = tuned.cli({"test", "--", "git push origin feature"});
  CHECK(has(t.out, "skipped: disabled by "));
  CHECK(has(t.out, "tuning.yaml:2:5: we push feature branches all day (until 2999-12-31)"));

  HookEnv expired(kRecommended);
  expired.write("cfg/preloop-hook/rules/tuning.yaml", "disable:\n  - {rule: git.push, reason: trial, expires: 2020-01-31}\n");
  CHECK(decision_of(expired.hook(expired.bash("git push origin feature")).out)["permissionDecision"] == "ask");
  t = expired.cli({"test", "--", "git push origin feature"});
  CHECK(has(t.out, "not applied: expired on 2020-01-31"));
}

TEST_CASE("tuning: a whole pack disabled; entries need a reason, a real date, and cannot touch self-protection") {
  HookEnv env(kRecommended);
  env.write("cfg/preloop-hook/rules/tuning.yaml", "disable:\n  - {pack: git, reason: \"git is ours\"}\n");
  CHECK(env.hook(env.bash("git reset --hard HEAD~3")).exit_code == 0);
  CHECK(env.hook(env.bash("git push --force origin main")).out.empty());
  // Self-protection is untouched.
  CHECK(env.hook(env.pre("Edit", {{"file_path", env.user_settings()}, {"old_string", "a"}, {"new_string", "b"}}))
            .exit_code == 2);

  auto typo = env.write("typo.yaml", "disable:\n  - {rule: git.psuh, reason: x}\n  - {pack: gti, reason: y}\n");
  auto w = env.cli({"rules", "validate", typo});
  CHECK(has(w.err, typo + ":2:5: warning: no rule with id 'git.psuh' (did you mean 'git.push'?): the entry has no effect"));
  CHECK(has(w.err, typo + ":3:5: warning: no pack named 'gti' (did you mean 'git'?)"));

  auto f = env.write("bad.yaml", "disable:\n  - {rule: git.push}\n  - {pack: self-protection, reason: x}\n"
                                 "  - {rule: x, reason: y, expires: 2026-02-31}\n  - {pack: a, rule: b, reason: c}\n");
  auto v = env.cli({"rules", "validate", f});
  INFO(v.err);
  CHECK(v.exit_code == 1);
  CHECK(has(v.err, f + ":2:5: error: a disable entry needs a 'reason'"));
  CHECK(has(v.err, f + ":3:5: error: self-protection cannot be disabled or observed"));
  CHECK(has(v.err, f + ":4:35: error: expires must be a date YYYY-MM-DD, got '2026-02-31'"));
  CHECK(has(v.err, f + ":5:5: error: a disable entry names exactly one of 'pack' or 'rule'"));
}

TEST_CASE("tuning: a project's disable applies only when the project is trusted") {
  const std::string tuning = "disable:\n  - {rule: git.push, reason: \"project says so\"}\n";
  HookEnv env(kRecommended);
  env.write("home/project/.preloop/tuning.yaml", tuning);
  CHECK(decision_of(env.hook(env.bash("git push origin feature")).out)["permissionDecision"] == "ask");
  auto t = env.cli({"test", "--cwd", env.project(), "--", "git push origin feature"});
  CHECK(has(t.out, "not applied: the project is not trusted"));

  HookEnv trusted{kRecommended};
  trusted.set_config(std::string(kRecommended) + "trusted_projects: [" + trusted.project() + "]\n");
  trusted.write("home/project/.preloop/tuning.yaml", tuning);
  CHECK(trusted.hook(trusted.bash("git push origin feature")).out.empty());
}

TEST_CASE("tuning: the managed config can forbid disables and overrides below it") {
  HookEnv env(kRecommended);
  env.write("managed/config.yaml", "policy: {allow_tuning: false}\n");
  env.write("cfg/preloop-hook/rules/tuning.yaml",
            "disable:\n  - {rule: git.push, reason: mine}\n"
            "tools:\n  - name: Bash\n    conditions:\n"
            "      - {expression: \"args.command.startsWith('git reset')\", action: allow, override: git.reset-hard}\n");
  CHECK(decision_of(env.hook(env.bash("git push origin feature")).out)["permissionDecision"] == "ask");
  // the override does not apply
  CHECK(decision_of(env.hook(env.bash("git reset --hard HEAD~1")).out)["permissionDecision"] == "ask");
  auto t = env.cli({"test", "--", "git push origin feature"});
  CHECK(has(t.out, "not applied: the managed config sets policy.allow_tuning: false"));
  // The managed layer itself may still tune.
  env.write("managed/rules/tuning.yaml", "disable:\n  - {rule: git.push, reason: org-wide}\n");
  t = env.cli({"test", "--", "git push origin feature"});
  CHECK(t.exit_code == 0);
  CHECK(has(t.out, "disabled by "));
}

TEST_CASE("override: a user allow rule lifts a pack rule by id, shown in the trace and the audit record") {
  HookEnv env(kRecommended);
  const char* rule = "tools:\n  - name: Bash\n    conditions:\n"
                     "      - {id: me.push-feature, expression: \"args.command.startsWith('git push origin feature')\",\n"
                     "         action: allow, override: git.push}\n";
  auto plain = env.write("plain.yaml", std::string(rule).substr(0, std::string(rule).find(", override")) + "}\n");
  // Without override the pack's ask is stricter and wins.
  auto t = env.cli({"test", "--rules", plain, "--", "git push origin feature"});
  CHECK(t.exit_code == 3);
  env.write("cfg/preloop-hook/rules/override.yaml", rule);
  auto r = env.hook(env.bash("git push origin feature"));
  REQUIRE(r.exit_code == 0);
  auto d = decision_of(r.out);
  CHECK(d["permissionDecision"] == "allow");
  CHECK(has(d["permissionDecisionReason"], "(overrides git.push)"));
  // Other pushes and stricter rules are untouched.
  CHECK(decision_of(env.hook(env.bash("git push origin main")).out)["permissionDecision"] == "ask");
  t = env.cli({"test", "--", "git push origin feature"});
  CHECK(has(t.out, "skipped: overridden by me.push-feature at "));
  auto recs = pre_records(env);
  REQUIRE(!recs.empty());
  CHECK(recs.front()["decision"] == "allow");
  CHECK(recs.front()["rule_id"] == "me.push-feature");
  CHECK(has(recs.front()["reason"], "overrides git.push"));
  // A project cannot override.
  HookEnv proj(kRecommended);
  proj.set_config(std::string(kRecommended) + "trusted_projects: [" + proj.project() + "]\n");
  proj.write("home/project/.preloop/override.yaml", rule);
  CHECK(decision_of(proj.hook(proj.bash("git push origin feature")).out)["permissionDecision"] == "ask");
  // override on a deny rule is an error.
  auto bad = env.write("bad.yaml", "tools:\n  - name: Bash\n    conditions:\n"
                                   "      - {expression: \"true\", action: deny, override: git.push}\n");
  CHECK(has(env.cli({"rules", "validate", bad}).err, "override belongs on an allow or require_approval rule"));
}

TEST_CASE("observe mode: the would-be decision is recorded, Claude Code gets none") {
  HookEnv env(std::string(kRecommended) + "policy: {mode: observe}\n");
  auto r = env.hook(env.bash("git push origin feature"));
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  r = env.hook(env.bash("git push --force origin main"));
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  CHECK(env.hook(env.bash("ls")).out.empty());
  auto recs = pre_records(env);
  REQUIRE(recs.size() == 3);
  CHECK(recs[0]["decision"] == "would_ask");
  CHECK(recs[0]["rule_id"] == "git.push");
  CHECK(has(recs[0]["reason"], "observe mode: answered pass"));
  CHECK(recs[1]["decision"] == "would_deny");
  CHECK(recs[1]["rule_id"] == "git.force-push-main");
  CHECK(recs[2]["decision"] == "none");
  auto stats = env.cli({"audit", "stats"});
  CHECK(has(stats.out, "would_deny (would have denied, observe mode)"));
  auto list = env.cli({"audit", "list", "--decision", "would_deny"});
  CHECK(has(list.out, "git.force-push-main"));
  CHECK(!has(list.out, "git.push "));
  // Self-protection stays enforced.
  r = env.hook(env.pre("Edit", {{"file_path", env.user_settings()}, {"old_string", "a"}, {"new_string", "b"}}));
  CHECK(r.exit_code == 2);
}

TEST_CASE("observe mode per rule and per pack; a rule that does not compile is enforced anyway") {
  HookEnv env(kRecommended);
  env.write("cfg/preloop-hook/rules/trial.yaml",
            "observe:\n  - {pack: git, reason: trial week}\n"
            "tools:\n  - name: Bash\n    conditions:\n"
            "      - {id: me.curl, expression: \"args.command.startsWith('curl')\", action: deny, enforce: false}\n"
            "      - {id: me.wget, expression: \"args.command.startsWith('wget')\", action: deny}\n");
  CHECK(env.hook(env.bash("curl https://x")).out.empty());
  CHECK(env.hook(env.bash("wget https://x")).exit_code == 2);        // enforced
  CHECK(env.hook(env.bash("git reset --hard HEAD~1")).out.empty());  // the pack observed
  auto recs = pre_records(env);
  REQUIRE(recs.size() == 3);
  CHECK(recs[0]["decision"] == "would_deny");
  CHECK(recs[0]["rule_id"] == "me.curl");
  CHECK(recs[1]["decision"] == "deny");
  CHECK(recs[2]["rule_id"] == "git.reset-hard");
  auto t = env.cli({"test", "--", "curl https://x"});
  CHECK(t.exit_code == 0);
  CHECK(has(t.out, "matched: deny (observe mode: not enforced; observed: enforce: false)"));

  HookEnv broken(kRecommended);
  broken.write("cfg/preloop-hook/rules/bad.yaml", "mode: observe\ntools:\n  - name: Bash\n    conditions:\n"
                                                  "      - {expression: \"args.command.contains(\", action: deny}\n");
  CHECK(broken.hook(broken.bash("ls")).exit_code == 2);
}

TEST_CASE("observe mode: a managed config pins enforcement") {
  HookEnv env(std::string(kRecommended) + "policy: {mode: observe}\n");
  env.write("managed/config.yaml", "policy: {pin_enforce: true}\n");
  env.write("cfg/preloop-hook/rules/trial.yaml",
            "mode: observe\ntools:\n  - name: Bash\n    conditions:\n"
            "      - {id: me.curl, expression: \"args.command.startsWith('curl')\", action: deny, enforce: false}\n");
  CHECK(env.hook(env.bash("curl https://x")).exit_code == 2);
  CHECK(decision_of(env.hook(env.bash("git push origin feature")).out)["permissionDecision"] == "ask");
  auto doctor = env.cli({"doctor"});
  CHECK(has(doctor.out + doctor.err, "policy.mode: observe is ignored"));
  // Without a managed config the user's observe mode applies.
  HookEnv personal(std::string(kRecommended) + "policy: {mode: observe}\n");
  CHECK(personal.hook(personal.bash("git push origin feature")).out.empty());
}

TEST_CASE("Claude Code's permissions as a layer (opt-in): deny, ask and allow rules, project allow only when trusted") {
  const std::string settings = R"J({"permissions": {
    "deny": ["Bash(curl:*)", "Read(~/.ssh/**)", "WebFetch(domain:evil.example)", "Task(x)"],
    "ask": ["Bash(git push *)"],
    "allow": ["Bash(npm run test:*)", "mcp__github"]}})J";
  HookEnv off;
  off.write("home/.claude/settings.json", settings);
  CHECK(off.hook(off.bash("curl https://x")).out.empty());  // not read unless asked for

  HookEnv env("profile: off\npolicy: {claude_permissions: true}\n");
  env.write("home/.claude/settings.json", settings);
  auto r = env.hook(env.bash("curl -s https://x"));
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "permissions.deny rule Bash(curl:*)"));
  CHECK(env.hook(env.pre("Read", {{"file_path", env.home() + "/.ssh/id_ed25519"}})).exit_code == 2);
  CHECK(env.hook(env.pre("Read", {{"file_path", env.project() + "/README.md"}})).out.empty());
  CHECK(env.hook(env.pre("WebFetch", {{"url", "https://api.evil.example/x"}, {"prompt", "p"}})).exit_code == 2);
  CHECK(env.hook(env.pre("WebFetch", {{"url", "https://notevil.example/x"}, {"prompt", "p"}})).out.empty());
  CHECK(decision_of(env.hook(env.bash("git push origin main")).out)["permissionDecision"] == "ask");
  CHECK(decision_of(env.hook(env.bash("npm run test -- --watch")).out)["permissionDecision"] == "allow");
  CHECK(decision_of(env.hook(env.pre("mcp__github__create_issue", {{"title", "t"}})).out)["permissionDecision"] == "allow");
  auto v = env.cli({"rules", "validate"});
  CHECK(has(v.out, "loaded claude-user: " + env.user_settings()));
  CHECK(has(v.err, "permissions.deny 'Task(x)' is left out: no translation for Task(x)"));

  // A project's settings: its deny applies, its allow only when trusted.
  env.write("home/project/.claude/settings.json",
            R"J({"permissions": {"allow": ["Bash(make:*)"], "deny": ["Bash(rm:*)"]}})J");
  CHECK(env.hook(env.bash("rm -rf build")).exit_code == 2);
  CHECK(env.hook(env.bash("make all")).out.empty());
  auto t = env.cli({"test", "--project", env.project(), "--", "make all"});
  CHECK(has(t.out, "ignored: allow from an untrusted project"));
}

TEST_CASE("tuning added during a session weakens the guard: the next call asks") {
  HookEnv env(kRecommended);
  env.write("cfg/preloop-hook/rules/mine.yaml", "tools: []\n");
  CHECK(env.hook(env.bash("ls")).out.empty());
  env.write("cfg/preloop-hook/rules/mine.yaml", "tools: []\ndisable:\n  - {pack: git, reason: quiet please}\n");
  auto r = env.hook(env.bash("ls"));
  REQUIRE(r.exit_code == 0);
  auto d = decision_of(r.out);
  CHECK(d["permissionDecision"] == "ask");
  CHECK(has(d["permissionDecisionReason"], "rules disabled, observed or overridden in"));
}
