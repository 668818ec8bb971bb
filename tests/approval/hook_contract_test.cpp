// Preloop's current permission-check contract and outage handling through the
// real binary: evaluation_phase and the repository object in the request, the
// operator's note shown to the model, and an unreachable service remembered
// across calls so the next ones answer at once.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "approval/fake_preloop.h"
#include "approval/run_hook.h"

using namespace preloop::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* kCheck = "/api/v1/agents/permission-check";
constexpr const char* kToken = "tok-contract-81d2";

std::string config_yaml(const std::string& approval_extra = "") {
  return "profile: off\nhook_timeout_seconds: 14\nsync:\n  interval: off\napproval:\n  retry_initial_ms: 20\n"
         "  retry_max_ms: 100\n  retry_window_seconds: 1\n" + approval_extra;
}

std::string push_event(const std::string& cwd, const std::string& tool_use_id = "toolu_contract") {
  return nlohmann::json{{"session_id", "sess-contract"},
                        {"transcript_path", "/tmp/t.jsonl"},
                        {"cwd", cwd},
                        {"permission_mode", "default"},
                        {"hook_event_name", "PreToolUse"},
                        {"tool_name", "Bash"},
                        {"tool_input", {{"command", "git push origin main"}, {"description", "Push the fix"}}},
                        {"tool_use_id", tool_use_id}}
      .dump();
}

struct Reply {
  ProcessResult raw;
  nlohmann::json out;  // hookSpecificOutput or null
  long long ms = 0;
};

Reply run(const HookHome& home, const std::string& url, const std::string& cwd = "/tmp") {
  const auto start = std::chrono::steady_clock::now();
  Reply r;
  r.raw = run_process({hook_binary(), "hook"}, push_event(cwd),
                      home.env({{"PRELOOP_URL", url}, {"PRELOOP_API_KEY", kToken}}), 30000);
  r.ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  const auto j = nlohmann::json::parse(r.raw.out, nullptr, false);
  if (j.is_object() && j.contains("hookSpecificOutput")) r.out = j["hookSpecificOutput"];
  return r;
}

std::string respond(const nlohmann::json& body) { return body.dump(); }

}  // namespace

TEST_CASE("the request carries evaluation_phase and the repository, read from git metadata") {
  if (!hook_binary_available()) return;
  HookHome home;
  home.write_config(config_yaml());
  home.write_user_policy(kApprovalPolicy);
  const fs::path repo = home.root() / "home/src/app";
  fs::create_directories(repo / ".git");
  fs::create_directories(repo / "web/static");
  std::ofstream(repo / ".git/config") << "[core]\n\tbare = false\n[remote \"upstream\"]\n\turl = https://git.example.com/"
                                         "up/app.git\n[remote \"origin\"]\n\turl = https://alice:s3cr3t-pw@git.example.com/"
                                         "team/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n";
  FakePreloop server;
  server.script(kCheck, {Step::approve()});

  const Reply r = run(home, server.url(), (repo / "web/static").string());
  CHECK(r.out["permissionDecision"] == "allow");
  REQUIRE(server.requests().size() == 1);
  const auto body = nlohmann::json::parse(server.requests()[0].body);
  CHECK(body["evaluation_phase"] == "pre_tool_use");
  REQUIRE(body["repository"].is_object());
  CHECK(body["repository"]["toplevel"] == repo.string());
  CHECK(body["repository"]["relative_path"] == "web/static");
  CHECK(body["repository"]["remote"] == "https://git.example.com/team/app.git");  // origin, without the password
  CHECK(body["repository"]["no_remote"] == false);
  CHECK(body["repository"]["source"] == "git_metadata");
  CHECK(server.requests()[0].body.find("s3cr3t-pw") == std::string::npos);

  SUBCASE("a linked work tree reads the shared config; no remote says so") {
    const fs::path wt = home.root() / "home/src/wt";
    fs::create_directories(wt);
    fs::create_directories(repo / ".git/worktrees/wt");
    std::ofstream(wt / ".git") << "gitdir: " << (repo / ".git/worktrees/wt").string() << "\n";
    std::ofstream(repo / ".git/worktrees/wt/commondir") << "../..\n";
    const Reply w = run(home, server.url(), wt.string());
    REQUIRE(server.requests().size() == 2);
    const auto b = nlohmann::json::parse(server.requests()[1].body);
    CHECK(b["repository"]["toplevel"] == wt.string());
    CHECK(b["repository"]["relative_path"] == ".");
    CHECK(b["repository"]["remote"] == "https://git.example.com/team/app.git");

    std::ofstream(repo / ".git/config") << "[core]\n\tbare = false\n";
    run(home, server.url(), repo.string());
    REQUIRE(server.requests().size() == 3);
    const auto c = nlohmann::json::parse(server.requests()[2].body);
    CHECK(c["repository"]["no_remote"] == true);
    CHECK(c["repository"]["remote"].is_null());
  }
  SUBCASE("outside a repository there is no repository object") {
    run(home, server.url(), home.root().string());
    REQUIRE(server.requests().size() == 2);
    CHECK_FALSE(nlohmann::json::parse(server.requests()[1].body).contains("repository"));
  }
}

TEST_CASE("the operator's note reaches the model") {
  if (!hook_binary_available()) return;
  HookHome home;
  home.write_config(config_yaml());
  home.write_user_policy(kApprovalPolicy);
  FakePreloop server;

  SUBCASE("beside an approval, as additionalContext") {
    server.script(kCheck, {Step::http(200, respond({{"decision", "allow"}, {"reason", "ok"}, {"request_id", "r1"},
                                                    {"timed_out", false},
                                                    {"operator_note", "Release freeze starts at 17:00 UTC."}}))});
    const Reply r = run(home, server.url());
    CHECK(r.raw.exit_code == 0);
    CHECK(r.out["permissionDecision"] == "allow");
    CHECK(r.out["additionalContext"] == "Note from the Preloop operator: Release freeze starts at 17:00 UTC.");
  }
  SUBCASE("with a denial, in the reason Claude Code shows") {
    server.script(kCheck, {Step::http(200, respond({{"decision", "deny"}, {"reason", "no"}, {"request_id", "r2"},
                                                    {"timed_out", false},
                                                    {"operator_note", "Ask #release before pushing."}}))});
    const Reply r = run(home, server.url());
    CHECK(r.raw.exit_code == 2);
    CHECK(r.raw.err.find("Note from the Preloop operator: Ask #release before pushing.") != std::string::npos);
    CHECK(r.out["additionalContext"] == "Note from the Preloop operator: Ask #release before pushing.");
  }
  SUBCASE("no note, no additionalContext") {
    server.script(kCheck, {Step::approve()});
    const Reply r = run(home, server.url());
    CHECK_FALSE(r.out.contains("additionalContext"));
  }
}

TEST_CASE("an unreachable service is remembered: the next calls answer at once with on_unreachable") {
  if (!hook_binary_available()) return;
  HookHome home;
  home.write_user_policy(kApprovalPolicy);
  FakePreloop server;
  server.script(kCheck, {Step::http(503)});
  const fs::path state = home.root() / "state/preloop-hook/approval-outage";

  SUBCASE("ask by default, and the service is asked again after the window") {
    home.write_config(config_yaml("  outage_window_seconds: 30\n"));
    const Reply first = run(home, server.url());
    CHECK(first.out["permissionDecision"] == "ask");
    CHECK(first.out["permissionDecisionReason"].get<std::string>().find("HTTP 503") != std::string::npos);
    const auto tried = server.requests().size();
    CHECK(tried >= 1);
    REQUIRE(fs::exists(state));
    CHECK((fs::status(state).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));

    const Reply second = run(home, server.url());
    CHECK(second.out["permissionDecision"] == "ask");
    const std::string reason = second.out["permissionDecisionReason"];
    CHECK(reason.find("approval service unreachable 0 s ago (http_5xx); not asked again for 30 s "
                      "(approval.outage_window_seconds)") != std::string::npos);
    CHECK(server.requests().size() == tried);  // nothing sent
    CHECK(second.ms < first.ms);
    CHECK(second.ms < 800);
    const auto audit = run_process({hook_binary(), "audit", "list", "--json", "-n", "1"}, "", home.env(), 30000);
    const auto rows = nlohmann::json::parse(audit.out, nullptr, false);
    REQUIRE(rows.is_array());
    REQUIRE(rows.size() == 1);
    CHECK(rows[0]["failure_class"] == "outage_remembered");
    CHECK(rows[0]["approval_status"] == "unreachable");

    // Older than the window: the service is asked again, and its answer ends the outage.
    auto j = nlohmann::json::parse(std::ifstream(state));
    j["at"] = j["at"].get<long long>() - 31;
    std::ofstream(state) << j.dump();
    server.script(kCheck, {Step::approve()});
    const Reply third = run(home, server.url());
    CHECK(third.out["permissionDecision"] == "allow");
    CHECK_FALSE(fs::exists(state));
  }
  SUBCASE("deny when on_unreachable is deny; a different service URL is asked") {
    home.write_config(config_yaml("  on_unreachable: deny\n"));
    CHECK(run(home, server.url()).raw.exit_code == 2);
    const auto tried = server.requests().size();
    const Reply again = run(home, server.url());
    CHECK(again.raw.exit_code == 2);
    CHECK(again.raw.err.find("not asked again for 60 s") != std::string::npos);
    CHECK(server.requests().size() == tried);
    FakePreloop other;
    other.script(kCheck, {Step::approve()});
    CHECK(run(home, other.url()).out["permissionDecision"] == "allow");
  }
  SUBCASE("outage_window_seconds: 0 asks every time") {
    home.write_config(config_yaml("  outage_window_seconds: 0\n"));
    run(home, server.url());
    const auto tried = server.requests().size();
    run(home, server.url());
    CHECK(server.requests().size() > tried);
    CHECK_FALSE(fs::exists(state));
  }
  SUBCASE("a declined request is an answer, not an outage") {
    home.write_config(config_yaml());
    server.script(kCheck, {Step::decline("no")});
    CHECK(run(home, server.url()).raw.exit_code == 2);
    CHECK_FALSE(fs::exists(state));
  }
}

TEST_CASE("approval reuse: a human approval covers the identical call, per the workflow's setting") {
  if (!hook_binary_available()) return;
  HookHome home;
  home.write_user_policy(kApprovalPolicy);
  FakePreloop server;
  server.script(kCheck, {Step::approve(0, "alice@example.com")});
  auto audit_rows = [&] {
    const auto a = run_process({hook_binary(), "audit", "list", "--json", "-n", "10"}, "", home.env(), 30000);
    return nlohmann::json::parse(a.out, nullptr, false);
  };

  SUBCASE("once: one more identical call, then the service is asked again") {
    home.write_config(config_yaml("  reuse:\n    manual-approval: once\n"));
    CHECK(run(home, server.url()).out["permissionDecision"] == "allow");
    CHECK(server.requests().size() == 1);
    const Reply again = run(home, server.url());
    CHECK(again.out["permissionDecision"] == "allow");
    CHECK(again.out["permissionDecisionReason"] ==
          "Approved via Preloop by alice@example.com (request req-approved); reused for this identical call "
          "(approval.reuse: once). rule 'git.push' (" +
              (home.root() / "config/preloop-hook/rules/policy.yaml").string() + ":8), workflow 'manual-approval'.");
    CHECK(server.requests().size() == 1);  // not asked
    const auto rows = audit_rows();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0]["approval_status"] == "approved");
    CHECK(rows[1]["approval_status"] == "reused");  // recorded as a reuse of the first request
    CHECK(rows[1]["approval_request_id"] == "req-approved");
    CHECK(rows[1]["approver"] == "alice@example.com");
    CHECK(rows[1]["decision"] == "allow");
    // Used up: the third call asks.
    CHECK(run(home, server.url()).out["permissionDecision"] == "allow");
    CHECK(server.requests().size() == 2);
    const auto grants = home.root() / "state/preloop-hook/approval-grants";
    REQUIRE(fs::exists(grants));
    CHECK((fs::status(grants).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write));
    std::ifstream in(grants);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK(text.find("git push") == std::string::npos);  // keyed hashes only
  }
  SUBCASE("a duration: every identical call in the window; a different input is asked") {
    home.write_config(config_yaml("  reuse:\n    \"*\": 10m\n"));
    run(home, server.url());
    for (int i = 0; i < 3; ++i) CHECK(run(home, server.url()).out["permissionDecisionReason"].get<std::string>().find(
                                          "reused for this identical call (approval.reuse: 10m)") != std::string::npos);
    CHECK(server.requests().size() == 1);
    auto event = nlohmann::json::parse(push_event("/tmp"));
    event["tool_input"]["command"] = "git push origin dev";
    run_process({hook_binary(), "hook"}, event.dump(),
                home.env({{"PRELOOP_URL", server.url()}, {"PRELOOP_API_KEY", kToken}}), 30000);
    CHECK(server.requests().size() == 2);
  }
  SUBCASE("a grant edited in the file is not honoured") {
    home.write_config(config_yaml("  reuse:\n    manual-approval: once\n"));
    run(home, server.url());
    const auto grants = home.root() / "state/preloop-hook/approval-grants";
    auto j = nlohmann::json::parse(std::ifstream(grants));
    REQUIRE(j.size() == 1);
    for (auto& [key, g] : j.items()) g["uses_left"] = 100;  // once -> many
    std::ofstream(grants) << j.dump();
    const Reply r = run(home, server.url());
    CHECK(r.out["permissionDecision"] == "allow");
    CHECK(r.out["permissionDecisionReason"].get<std::string>().find("reused") == std::string::npos);
    CHECK(server.requests().size() == 2);  // asked again
  }
  SUBCASE("off by default, and a declined request is never reused") {
    home.write_config(config_yaml());
    run(home, server.url());
    run(home, server.url());
    CHECK(server.requests().size() == 2);
    home.write_config(config_yaml("  reuse:\n    manual-approval: 10m\n"));
    server.script(kCheck, {Step::decline("no")});
    CHECK(run(home, server.url()).raw.exit_code == 2);
    CHECK(run(home, server.url()).raw.exit_code == 2);
    CHECK(server.requests().size() == 4);
  }
  SUBCASE("a bad reuse value denies with the exact problem") {
    home.write_config(config_yaml("  reuse:\n    manual-approval: forever\n"));
    const Reply r = run(home, server.url());
    CHECK(r.raw.exit_code == 2);
    CHECK(r.raw.err.find("approval.reuse.manual-approval: expected a duration") != std::string::npos);
  }
}
