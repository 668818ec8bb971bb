// Managed mode, configuration fingerprints, ConfigChange, InstructionsLoaded
// and coverage gaps, through the real binary.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "hook/hook_env.h"

using preloop::testing::HookEnv;
using preloop::testing::ProcessResult;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

// Every record of the audit trail, oldest first.
json records(const HookEnv& env) {
  auto r = env.cli({"audit", "list", "--json", "-n", "1000"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return json::parse(r.out);
}

std::vector<json> records_of(const HookEnv& env, const std::string& event) {
  std::vector<json> out;
  for (const auto& r : records(env))
    if (r["hook_event"] == event) out.push_back(r);
  return out;
}

std::string our_hook_settings(const std::string& extra = "") {
  return R"({)" + extra + R"("hooks":{"PreToolUse":[{"matcher":"*","hooks":[{"type":"command",)"
         R"("command":")" + preloop::testing::hook_binary() + R"(","args":["hook"]}]}]}})";
}

std::string config_change(const std::string& source, const std::string& file) {
  return json{{"hook_event_name", "ConfigChange"}, {"session_id", "s-test"}, {"cwd", "/"},
              {"source", source}, {"file_path", file}}
      .dump();
}

const char* kTwoRules = R"Y(
tools:
  - name: Bash
    conditions:
      - {expression: "args.command.contains('forbidden-a')", action: deny, message: no a}
      - {expression: "args.command.contains('forbidden-b')", action: deny, message: no b}
)Y";

}  // namespace

TEST_CASE("install --scope managed writes Claude Code's managed settings and a root-owned config") {
  HookEnv env;
  if (::geteuid() != 0) {
    auto r = env.cli({"install", "--scope", "managed"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("only root may write") != std::string::npos);
    return;
  }
  auto r = env.cli({"install", "--scope", "managed", "--managed-hooks-only"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  std::string settings = env.claude_managed() + "/managed-settings.json";
  json doc = json::parse(slurp(settings));
  CHECK(doc["allowManagedHooksOnly"] == true);
  for (const char* event : {"PreToolUse", "PostToolUse", "ConfigChange", "InstructionsLoaded"})
    CHECK(doc["hooks"][event][0]["hooks"][0]["command"] == fs::canonical(preloop::testing::hook_binary()).string());
  CHECK(mode_of(settings) == 0644);
  CHECK(mode_of(env.claude_managed()) == 0755);
  CHECK(mode_of(env.managed()) == 0755);
  CHECK(mode_of(env.managed() + "/config.yaml") == 0644);
  CHECK(mode_of(env.managed() + "/rules/policy.yaml") == 0644);
  CHECK_FALSE(fs::exists(env.dir().path() + "/cfg/preloop-hook/config.yaml"));  // nothing in the user's config
  for (const char* profile : {"off", "recommended", "strict"}) {  // the snapshots hooks read the managed layer from
    std::string dir = env.managed() + "/cache/" + profile;
    REQUIRE(fs::exists(dir));
    CHECK(mode_of(dir) == 0755);
    for (const auto& e : fs::directory_iterator(dir)) CHECK(mode_of(e.path()) == 0644);
  }

  // Other keys of the managed settings stay; uninstall mirrors install.
  doc["permissions"] = {{"deny", {"Bash(curl *)"}}};
  std::ofstream(settings) << doc.dump(2);
  r = env.cli({"uninstall", "--scope", "managed", "--managed-hooks-only"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(json::parse(slurp(settings)) == json{{"permissions", {{"deny", {"Bash(curl *)"}}}}});

  r = env.cli({"install", "--managed-hooks-only"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("--managed-hooks-only needs --scope managed") != std::string::npos);

  // Anyone but root is refused with the reason.
  if (access("/usr/bin/setpriv", X_OK) == 0) {
    auto e = env.env();
    auto nobody = preloop::testing::run_process({"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                                 "--clear-groups", preloop::testing::hook_binary(), "install",
                                                 "--scope", "managed"},
                                                "", e);
    if (nobody.exit_code == 1) CHECK(nobody.err.find("only root may write") != std::string::npos);
    else MESSAGE("the binary cannot be run as nobody here: " << nobody.err);
  }
}

TEST_CASE("a managed profile cannot be lowered by the user's config") {
  HookEnv env("profile: off\nfail_mode: open\n");
  CHECK(env.hook(env.bash("sudo ls")).exit_code == 0);  // off: no pack applies
  env.write("managed/config.yaml", "profile: strict\n");
  auto r = env.hook(env.bash("sudo ls"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("strict profile") != std::string::npos);
  auto doctor = env.cli({"doctor", "--json"});
  json report = json::parse(doctor.out);
  int ignored = 0;
  for (const auto& c : report["checks"])
    if (c["id"] == "config.managed") ++ignored;
  CHECK(ignored == 2);  // profile: off and fail_mode: open
}

TEST_CASE("editing a rule file becomes a ConfigFingerprint record with the old and new digest") {
  HookEnv env;
  std::string rule = env.write("cfg/preloop-hook/rules/p.yaml", kTwoRules);
  CHECK(env.hook(env.bash("ls")).exit_code == 0);
  CHECK(records_of(env, "ConfigFingerprint").empty());
  env.write("cfg/preloop-hook/rules/p.yaml", std::string(kTwoRules) + "# reviewed\n");
  auto r = env.hook(env.bash("ls"));
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());  // not weaker: no question asked
  auto changes = records_of(env, "ConfigFingerprint");
  REQUIRE(changes.size() == 1);
  CHECK(changes[0]["rule_location"] == rule);
  CHECK(changes[0]["arguments"]["kind"] == "policy:user");
  CHECK(changes[0]["arguments"]["old_digest"].get<std::string>().size() == 64);
  CHECK(changes[0]["arguments"]["new_digest"].get<std::string>().size() == 64);
  CHECK(changes[0]["arguments"]["old_digest"] != changes[0]["arguments"]["new_digest"]);
  CHECK(changes[0]["session_id"] == "s-test");
  CHECK(env.hook(env.bash("ls")).exit_code == 0);
  CHECK(records_of(env, "ConfigFingerprint").size() == 1);  // recorded once
  auto verify = env.cli({"audit", "verify"});
  CHECK_MESSAGE(verify.exit_code == 0, verify.out);
}

TEST_CASE("a weakening change during a session makes the next call ask, once") {
  HookEnv env;
  env.write("cfg/preloop-hook/rules/p.yaml", kTwoRules);
  CHECK(env.hook(env.bash("ls")).out.empty());
  env.write("cfg/preloop-hook/rules/p.yaml",
            "tools:\n  - name: Bash\n    conditions:\n      - {expression: \"args.command.contains('forbidden-a')\", "
            "action: deny}\n");
  auto r = env.hook(env.bash("ls"));
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  json d = json::parse(r.out)["hookSpecificOutput"];
  CHECK(d["permissionDecision"] == "ask");
  std::string reason = d["permissionDecisionReason"];
  CHECK(reason.find("weakened") != std::string::npos);
  CHECK(reason.find("fewer rules") != std::string::npos);
  auto pre = records_of(env, "PreToolUse");
  CHECK(pre.back()["decision"] == "ask");
  CHECK(pre.back()["failure_class"] == "config_weakened");
  CHECK(env.hook(env.bash("ls")).out.empty());  // asked once

  SUBCASE("tamper.on_weakening: deny") {
    env.set_config("profile: strict\ntamper: {on_weakening: deny}\n");
    CHECK(env.hook(env.bash("ls")).out.empty());  // stricter: not asked
    env.set_config("profile: recommended\ntamper: {on_weakening: deny}\n");
    auto denied = env.hook(env.bash("ls"));
    CHECK(denied.exit_code == 2);
    CHECK(denied.err.find("profile lowered from strict to recommended") != std::string::npos);
  }
  SUBCASE("tamper.on_weakening: record") {
    env.set_config("profile: off\ntamper: {on_weakening: record}\n");
    // Lowering the reaction is itself a weakening, answered as before the change.
    CHECK(json::parse(env.hook(env.bash("ls")).out)["hookSpecificOutput"]["permissionDecision"] == "ask");
    fs::remove(env.user_rules() + "/p.yaml");
    CHECK(env.hook(env.bash("ls")).out.empty());
    bool recorded = false;
    for (const auto& c : records_of(env, "ConfigFingerprint"))
      recorded = recorded || c["reason"].get<std::string>().find("rule file removed") != std::string::npos;
    CHECK(recorded);
  }
  SUBCASE("a weakening seen by PostToolUse is asked by the next PreToolUse") {
    fs::remove(env.user_rules() + "/p.yaml");
    json post = {{"hook_event_name", "PostToolUse"}, {"session_id", "s-test"}, {"cwd", env.project()},
                 {"tool_name", "Bash"}, {"tool_input", {{"command", "ls"}}}, {"tool_response", {{"stdout", ""}}},
                 {"tool_use_id", "toolu_test"}};
    CHECK(env.hook(post.dump()).exit_code == 0);
    auto next = env.hook(env.bash("ls"));
    CHECK(json::parse(next.out)["hookSpecificOutput"]["permissionDecision"] == "ask");
  }
  SUBCASE("PostToolUse in another project between the calls: no state rewritten, a weakening still asked") {
    json post = {{"hook_event_name", "PostToolUse"}, {"session_id", "s-test"}, {"cwd", "/tmp"},
                 {"tool_name", "Bash"}, {"tool_input", {{"command", "ls"}}}, {"tool_response", {{"stdout", ""}}},
                 {"tool_use_id", "toolu_test"}};
    CHECK(env.hook(post.dump()).exit_code == 0);
    CHECK(env.hook(env.bash("ls")).out.empty());
    const fs::path states = env.dir().path() + "/data/preloop-hook/guard-states";
    auto identities = [&] {
      std::map<std::string, std::pair<ino_t, long>> out;
      for (const auto& e : fs::directory_iterator(states)) {
        struct stat st {};
        REQUIRE(::stat(e.path().c_str(), &st) == 0);
        out[e.path().filename().string()] = {st.st_ino, st.st_mtim.tv_nsec};
      }
      return out;
    };
    auto before = identities();
    CHECK(before.size() == 2);  // the project's and /tmp's
    for (int i = 0; i < 2; ++i) {
      CHECK(env.hook(post.dump()).exit_code == 0);
      CHECK(env.hook(env.bash("ls")).out.empty());
    }
    CHECK(identities() == before);  // alternating calls read the states and write none
    // Rules removed while the calls alternate: both projects see it, the PreToolUse asks.
    fs::remove(env.user_rules() + "/p.yaml");
    CHECK(env.hook(post.dump()).exit_code == 0);
    auto next = env.hook(env.bash("ls"));
    REQUIRE_MESSAGE(!next.out.empty(), next.err);
    CHECK(json::parse(next.out)["hookSpecificOutput"]["permissionDecision"] == "ask");
    std::size_t removed = 0;
    for (const auto& c : records_of(env, "ConfigFingerprint"))
      removed += c["reason"].get<std::string>().find("rule file removed") != std::string::npos;
    CHECK(removed == 2);  // once against each project's state
  }
}

TEST_CASE("ConfigChange: a settings file that stops running preloop-hook is blocked") {
  HookEnv env;
  env.write("home/.claude/settings.json", our_hook_settings());
  CHECK(env.hook(env.bash("ls")).exit_code == 0);  // the guard has seen the file run it

  env.write("home/.claude/settings.json", our_hook_settings(R"("model":"opus",)"));
  auto benign = env.hook(config_change("user_settings", env.user_settings()));
  CHECK(benign.exit_code == 0);

  env.write("home/.claude/settings.json", R"({"model":"opus"})");
  auto removed = env.hook(config_change("user_settings", env.user_settings()));
  CHECK(removed.exit_code == 2);
  CHECK(removed.err.find("no longer runs preloop-hook") != std::string::npos);

  env.write("home/.claude/settings.json", our_hook_settings(R"("disableAllHooks":true,)"));
  auto disabled = env.hook(config_change("user_settings", env.user_settings()));
  CHECK(disabled.exit_code == 2);
  CHECK(disabled.err.find("disableAllHooks") != std::string::npos);

  // Managed policy settings cannot be blocked: recorded only.
  std::string managed = env.write("claude-managed/managed-settings.json", R"({"disableAllHooks":true})");
  CHECK(env.hook(config_change("policy_settings", managed)).exit_code == 0);
  // A FIFO in place of the file does not hang the hook.
  fs::remove(env.user_settings());
  REQUIRE(::mkfifo(env.user_settings().c_str(), 0600) == 0);
  CHECK(env.hook(config_change("user_settings", env.user_settings())).exit_code == 2);

  auto rows = records_of(env, "ConfigChange");
  REQUIRE(rows.size() == 5);
  CHECK(rows[0]["decision"] == "none");
  CHECK(rows[1]["decision"] == "deny");
  CHECK(rows[1]["arguments"]["source"] == "user_settings");
  CHECK(rows[3]["decision"] == "none");
  CHECK(rows[3]["reason"].get<std::string>().find("cannot be blocked") != std::string::npos);
}

TEST_CASE("InstructionsLoaded is recorded with its file, memory type and reason") {
  HookEnv env;
  json ev = {{"hook_event_name", "InstructionsLoaded"}, {"session_id", "s-test"}, {"cwd", env.project()},
             {"file_path", env.project() + "/CLAUDE.md"}, {"memory_type", "Project"},
             {"load_reason", "session_start"}};
  auto r = env.hook(ev.dump());
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());
  auto rows = records_of(env, "InstructionsLoaded");
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["arguments"]["file_path"] == env.project() + "/CLAUDE.md");
  CHECK(rows[0]["arguments"]["memory_type"] == "Project");
  CHECK(rows[0]["arguments"]["load_reason"] == "session_start");
}

TEST_CASE("a tool result that never passed PreToolUse is reported as a coverage gap") {
  HookEnv env;
  auto post = [&](const std::string& id) {
    json ev = {{"hook_event_name", "PostToolUse"}, {"session_id", "s-test"}, {"cwd", env.project()},
               {"tool_name", "Bash"}, {"tool_input", {{"command", "ls"}}}, {"tool_response", {{"stdout", ""}}},
               {"tool_use_id", id}};
    return env.hook(ev.dump());
  };
  CHECK(env.hook(env.bash("ls")).exit_code == 0);  // toolu_test passes the gate
  CHECK(post("toolu_test").exit_code == 0);
  CHECK(post("toolu_ungated").exit_code == 0);

  auto verify = env.cli({"audit", "verify"});
  CHECK(verify.exit_code == 0);
  CHECK(verify.out.find("coverage gap: 1 tool call(s) ran without passing the PreToolUse hook") != std::string::npos);
  CHECK(verify.out.find("toolu_ungated") != std::string::npos);
  auto stats = json::parse(env.cli({"audit", "stats", "--json"}).out);
  CHECK(stats["coverage_gaps"]["count"] == 1);
  CHECK(stats["coverage_gaps"]["examples"][0]["tool_use_id"] == "toolu_ungated");
  auto doctor = json::parse(env.cli({"doctor", "--json"}).out);
  bool warned = false;
  for (const auto& c : doctor["checks"])
    warned = warned || (c["id"] == "audit.coverage" && c["status"] == "warn" &&
                        c["message"].get<std::string>().find("toolu_ungated") != std::string::npos);
  CHECK(warned);
}

TEST_CASE("doctor --json names the mode and the tamper surface") {
  HookEnv env;
  auto r = env.cli({"doctor", "--json", "--user", "65534"});
  json report = json::parse(r.out);
  CHECK(report["mode"] == "personal");
  CHECK(report["tamper_surface"]["uid"] == 65534);
  CHECK(report["tamper_surface"]["paths"].is_array());
  CHECK(report["tamper_surface"]["paths"].empty());  // nobody cannot reach the sandbox

  // A rules directory anyone may write: on the surface, informational in personal mode.
  ::chmod(env.dir().path().c_str(), 0755);
  env.write("cfg/preloop-hook/rules/p.yaml", kTwoRules);
  ::chmod(env.user_rules().c_str(), 0777);
  report = json::parse(env.cli({"doctor", "--json", "--user", "65534"}).out);
  bool listed = false;
  for (const auto& p : report["tamper_surface"]["paths"])
    listed = listed || (p["path"] == env.user_rules() && p["role"] == "user rules" && p["why"] == "writable" &&
                        p["enforcing"] == false);
  CHECK(listed);
  for (const auto& c : report["checks"])
    if (c["id"] == "guard.tamper_surface") CHECK(c["status"] == "ok");

  auto bad = env.cli({"doctor", "--user", "no-such-user-xyz"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("no such user") != std::string::npos);
}

TEST_CASE("managed mode: the managed rules come from root's snapshot, not from the user's forgeable one") {
  if (::geteuid() != 0) return;  // a root-owned managed directory needs root
  HookEnv env;
  env.write("managed/rules/org.yaml",
            "tools:\n  - name: Bash\n    conditions:\n      - {expression: \"args.command.contains('forbidden')\", "
            "action: deny, message: managed says no}\n");
  ::chmod(env.managed().c_str(), 0755);
  CHECK(env.hook(env.bash("echo forbidden")).exit_code == 2);
  CHECK(fs::exists(env.managed() + "/cache/off"));
  // Forge every snapshot in the user's cache: same signature, no layers at all.
  std::string cache = env.dir().path() + "/data/preloop-hook/cache";
  int forged = 0;
  for (const auto& e : fs::directory_iterator(cache)) {
    if (e.path().filename().string().rfind("policy-", 0) != 0) continue;  // config snapshots live here too
    std::string data = slurp(e.path());
    // The serialized layers open and close with the format tag; the signature before them holds it too.
    const std::string tag = "PLHPOL07";
    auto trailer = data.rfind(tag);
    REQUIRE(trailer != std::string::npos);
    auto layers = data.rfind(tag, trailer - 1);
    REQUIRE(layers != std::string::npos);
    std::ofstream(e.path(), std::ios::binary | std::ios::trunc) << data.substr(0, layers) << tag << std::string(4, '\0')
                                                                 << tag;
    ++forged;
  }
  REQUIRE(forged > 0);
  auto r = env.hook(env.bash("echo forbidden"));
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("managed says no") != std::string::npos);
}
