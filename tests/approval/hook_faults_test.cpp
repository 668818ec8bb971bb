// The approval fault matrix through the real binary: PRELOOP_URL /
// PRELOOP_API_KEY / PRELOOP_HOOK_CONFIG, a user policy that requires approval
// for `git push`, and the scripted server. Each fault gives one exact reply,
// always well before Claude Code's hook timeout.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <chrono>
#include <fstream>

#include <nlohmann/json.hpp>

#include "approval/fake_preloop.h"
#include "approval/run_hook.h"

using namespace preloop::testing;

namespace {

constexpr const char* kCheck = "/api/v1/agents/permission-check";
constexpr const char* kToken = "tok-live-5f3a9c";
// hook_timeout_seconds 14 gives a wait budget of 4 s (Config::wait_budget_seconds).
constexpr int kHookTimeout = 14;
constexpr int kBudgetMs = 4000;

std::string config_yaml(const std::string& approval_extra) {
  return "profile: off\nhook_timeout_seconds: " + std::to_string(kHookTimeout) +
         "\nsync:\n  interval: off\napproval:\n  retry_initial_ms: 20\n  retry_max_ms: 100\n" + approval_extra;
}

struct Reply {
  int exit_code;
  std::string decision;  // permissionDecision, empty when no JSON
  std::string reason;
  std::string err;
  long long ms;
};

Reply run_hook(HookHome& home, const std::map<std::string, std::string>& extra_env,
               const std::string& command = "git push origin main") {
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_process({hook_binary(), "hook"}, bash_event(command), home.env(extra_env), 30000);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  Reply out{r.exit_code, "", "", r.err, ms};
  const auto j = nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_object() && j.contains("hookSpecificOutput")) {
    out.decision = j["hookSpecificOutput"].value("permissionDecision", "");
    out.reason = j["hookSpecificOutput"].value("permissionDecisionReason", "");
  }
  CHECK(r.out.find(kToken) == std::string::npos);
  CHECK(r.err.find(kToken) == std::string::npos);
  return out;
}

struct Case {
  const char* name;
  std::vector<Step> steps;
  const char* approval_yaml;  // extra lines under approval:
  int exit_code;
  const char* decision;
  const char* reason_has;
};

}  // namespace

TEST_CASE("approval fault matrix (binary)") {
  if (!hook_binary_available()) {
    MESSAGE("PRELOOP_HOOK_BIN not set: binary fault matrix skipped");
    return;
  }
  const char* strict = "  on_timeout: deny\n  on_unreachable: deny\n  on_auth_error: deny\n";
  const std::vector<Case> cases = {
      {"approved", {Step::approve(300, "alice@example.com")}, "", 0, "allow",
       "Approved via Preloop by alice@example.com: ok (request req-approved)."},
      {"declined", {Step::decline("not during the freeze")}, "", 2, "deny",
       "Denied via Preloop: not during the freeze (request req-declined). rule 'git.push'"},
      {"declined is never downgraded", {Step::decline("no")}, "  on_unreachable: ask\n", 2, "deny",
       "Denied via Preloop: no"},
      {"timed_out -> deny, never a local prompt", {Step::timed_out()}, "  on_unreachable: ask\n", 2, "deny",
       "No approver answered in time (request req-expired); the request expired, so the call is denied."},
      {"timed_out, on_timeout deny", {Step::timed_out()}, strict, 2, "deny", "No approver answered in time"},
      {"500 then approved", {Step::http(500), Step::http(503), Step::approve()}, "", 0, "allow", "Approved via Preloop"},
      {"401 -> ask", {Step::http(401)}, "", 0, "ask",
       "rejected the API key (HTTP 401): the credential from environment (PRELOOP_API_KEY) is wrong or expired"},
      {"401, on_auth_error deny", {Step::http(401)}, strict, 2, "deny", "rejected the API key (HTTP 401)"},
      {"never answers -> ask before the deadline", {Step::hang()}, "", 0, "ask",
       "no answer from the approval service before the hook's deadline"},
      {"never answers, strict -> deny", {Step::hang()}, strict, 2, "deny", "before the hook's deadline"},
      {"5xx until the deadline -> ask", {Step::http(502)}, "", 0, "ask", "approval service error (HTTP 502) after"},
      {"garbage JSON -> ask", {Step::garbage()}, "", 0, "ask", "sent an unusable answer"},
      {"huge body -> ask", {Step::huge(1 << 20)}, "  max_response_bytes: 4096\n", 0, "ask",
       "response larger than 4096 bytes"},
      {"reset mid-body then approved", {Step::reset_mid_body(), Step::approve()}, "", 0, "allow",
       "Approved via Preloop"},
  };
  for (const Case& c : cases) {
    SUBCASE(c.name) {
      FakePreloop server;
      server.script(kCheck, c.steps);
      HookHome home;
      home.write_config(config_yaml(c.approval_yaml));
      home.write_user_policy(kApprovalPolicy);
      const Reply r = run_hook(home, {{"PRELOOP_URL", server.url()}, {"PRELOOP_API_KEY", kToken}});
      INFO("stderr: " << r.err);
      INFO("reason: " << r.reason);
      CHECK(r.exit_code == c.exit_code);
      CHECK(r.decision == c.decision);
      CHECK(r.reason.find(c.reason_has) != std::string::npos);
      CHECK(r.ms < kBudgetMs + 1500);  // the budget plus start-up and audit, far below the hook timeout
      const auto seen = server.requests();
      REQUIRE_FALSE(seen.empty());
      const auto body = nlohmann::json::parse(seen[0].body);
      CHECK(seen[0].headers.at("authorization") == std::string("Bearer ") + kToken);
      CHECK(seen[0].headers.at("idempotency-key") == "toolu_test_1");
      CHECK(body["tool_name"] == "Bash");
      CHECK(body["tool_input"]["command"] == "git push origin main");
      CHECK(body["agent_reasoning"] == "Push the fix");
      CHECK(body["client_context"]["rule_id"] == "git.push");
      CHECK(body["client_context"]["approval_workflow"] == "manual-approval");
      CHECK(body["client_context"]["input_hash"].get<std::string>().size() == 64);
      // The audit record carries the approval outcome.
      const auto audit = run_process({hook_binary(), "audit", "list", "--json", "-n", "1"}, "", home.env(), 30000);
      const auto rows = nlohmann::json::parse(audit.out, nullptr, false);
      REQUIRE(rows.is_array());
      REQUIRE(rows.size() == 1);
      const std::string reason = c.reason_has;
      const char* status = reason.rfind("Approved", 0) == 0              ? "approved"
                           : reason.rfind("Denied", 0) == 0              ? "declined"
                           : reason.rfind("No approver", 0) == 0         ? "timed_out"
                           : reason.find("rejected the API key") != std::string::npos ? "auth_error"
                                                                                      : "unreachable";
      CHECK(rows[0]["approval_status"] == status);
      CHECK(rows[0]["decision"] == c.decision);
      CHECK(rows[0]["approval_wait_ms"].get<long long>() <= r.ms);
      if (std::string(status) == "approved" || std::string(status) == "declined")
        CHECK_FALSE(rows[0]["approval_request_id"].get<std::string>().empty());
      if (std::string(status) == "unreachable") CHECK_FALSE(rows[0]["failure_class"].get<std::string>().empty());
      CHECK(audit.out.find(kToken) == std::string::npos);
    }
  }
}

TEST_CASE("binary: transport failures and configuration problems") {
  if (!hook_binary_available()) return;
  HookHome home;
  home.write_config(config_yaml(""));
  home.write_user_policy(kApprovalPolicy);

  SUBCASE("connection refused -> ask within the budget") {
    const std::string url = "http://127.0.0.1:" + std::to_string(closed_port());
    const Reply r = run_hook(home, {{"PRELOOP_URL", url}, {"PRELOOP_API_KEY", kToken}});
    CHECK(r.exit_code == 0);
    CHECK(r.decision == "ask");
    CHECK(r.reason.find("approval service unreachable (connect:") != std::string::npos);
    CHECK(r.ms < kBudgetMs + 1500);
  }
  SUBCASE("no service configured -> ask naming the rule and workflow") {
    const Reply r = run_hook(home, {});
    CHECK(r.exit_code == 0);
    CHECK(r.decision == "ask");
    CHECK(r.reason.find("rule 'git.push'") != std::string::npos);
    CHECK(r.reason.find("workflow 'manual-approval' requires approval and no approval service is configured") !=
          std::string::npos);
  }
  SUBCASE("a group-readable credentials file is refused") {
    const auto cred = home.root() / "config/preloop-hook/credentials";
    std::ofstream(cred) << "url: http://127.0.0.1:1\napi_key: " << kToken << "\n";
    ::chmod(cred.c_str(), 0644);
    const Reply r = run_hook(home, {});
    CHECK(r.decision == "ask");
    CHECK(r.reason.find("is readable by group or others (mode 0644)") != std::string::npos);
    CHECK(r.reason.find("chmod 600") != std::string::npos);
  }
  SUBCASE("the credentials file is used when private") {
    FakePreloop server;
    server.script(kCheck, {Step::approve()});
    const auto cred = home.root() / "config/preloop-hook/credentials";
    std::ofstream(cred) << "url: " << server.url() << "\napi_key: " << kToken << "\n";
    ::chmod(cred.c_str(), 0600);
    const Reply r = run_hook(home, {});
    CHECK(r.decision == "allow");
    REQUIRE(server.requests().size() == 1);
    CHECK(server.requests()[0].headers.at("authorization") == std::string("Bearer ") + kToken);
  }
  SUBCASE("the official Preloop CLI's credentials are used for zero config") {
    FakePreloop server;
    server.script(kCheck, {Step::approve()});
    const auto dir = home.root() / "home/.preloop/agents/claude-code";
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "permission_hook.json")
        << nlohmann::json{{"base_url", server.url()}, {"token", kToken}, {"source", "claude_code"}}.dump();
    ::chmod((dir / "permission_hook.json").c_str(), 0600);
    const Reply r = run_hook(home, {});
    CHECK(r.decision == "allow");
    CHECK(server.requests().size() == 1);
  }
  SUBCASE("an invalid approval setting denies with the exact problem") {
    home.write_config(config_yaml("  on_timeout: maybe\n"));
    const Reply r = run_hook(home, {{"PRELOOP_URL", "http://127.0.0.1:1"}, {"PRELOOP_API_KEY", kToken}});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("approval.on_timeout: expected deny, got 'maybe'") != std::string::npos);
  }
  SUBCASE("on_timeout: ask is refused: an expired request never becomes a local prompt") {
    home.write_config(config_yaml("  on_timeout: ask\n"));
    const Reply r = run_hook(home, {{"PRELOOP_URL", "http://127.0.0.1:1"}, {"PRELOOP_API_KEY", kToken}});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("approval.on_timeout: 'ask' is not allowed") != std::string::npos);
  }
  SUBCASE("a call that needs no approval sends nothing") {
    FakePreloop server;
    server.script(kCheck, {Step::approve()});
    const Reply r = run_hook(home, {{"PRELOOP_URL", server.url()}, {"PRELOOP_API_KEY", kToken}}, "ls -la");
    CHECK(r.exit_code == 0);
    CHECK(server.requests().empty());
  }
}

TEST_CASE("binary: TLS with a custom CA bundle") {
  if (!hook_binary_available()) return;
  const auto certs = make_test_certs();
  if (certs.ca_file.empty()) {
    MESSAGE("openssl command not available; skipped");
    return;
  }
  FakePreloop server(FakePreloop::Tls{certs.cert_file, certs.key_file});
  server.script(kCheck, {Step::approve()});
  HookHome home;
  home.write_user_policy(kApprovalPolicy);
  const std::map<std::string, std::string> env = {{"PRELOOP_URL", server.url()}, {"PRELOOP_API_KEY", kToken}};
  SUBCASE("untrusted certificate -> ask, nothing sent") {
    home.write_config(config_yaml(""));
    const Reply r = run_hook(home, env);
    CHECK(r.decision == "ask");
    CHECK(r.reason.find("approval service unreachable (tls:") != std::string::npos);
    CHECK(server.requests().empty());
  }
  SUBCASE("ca_bundle -> approved") {
    home.write_config(config_yaml("  ca_bundle: " + certs.ca_file + "\n"));
    const Reply r = run_hook(home, env);
    CHECK(r.decision == "allow");
  }
  std::filesystem::remove_all(certs.dir);
}
