// The approval fault matrix against the client library: each fault of the
// scripted server maps to one exact decision and message, always before the
// deadline.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <set>

#include <nlohmann/json.hpp>

#include "approval/client.h"
#include "approval/fake_preloop.h"
#include "approval/outcome.h"

using namespace preloop;
using namespace preloop::approval;
using preloop::testing::FakePreloop;
using preloop::testing::Step;

namespace {

constexpr const char* kCheck = "/api/v1/agents/permission-check";

ApprovalSettings fast_settings() {
  ApprovalSettings s;
  s.retry_initial = std::chrono::milliseconds(20);
  s.retry_max = std::chrono::milliseconds(100);
  s.connect_timeout = std::chrono::milliseconds(500);
  return s;
}

ApprovalRequest sample_request() {
  ApprovalRequest r;
  r.tool_name = "Bash";
  r.tool_input = {{"command", "git push origin main"}, {"description", "Push the fix"}};
  r.session_id = "sess-1";
  r.cwd = "/home/user/project";
  r.tool_use_id = "toolu_01ABC";
  r.agent_reasoning = "Push the fix";
  r.rule_id = "git.push";
  r.rule_location = "policy.yaml:12";
  r.workflow = "manual-approval";
  r.timeout_seconds = 300;
  r.input_hash = "abc123";
  return r;
}

Decision pending_decision() {
  Decision d;
  d.verdict = Verdict::Ask;
  d.needs_approval = true;
  d.has_rule = true;
  d.rule.id = "git.push";
  d.rule.file = "policy.yaml";
  d.rule.line = 12;
  d.rule.workflow = "manual-approval";
  return d;
}

struct Case {
  const char* name;
  std::vector<Step> steps;
  std::function<void(ApprovalSettings&)> tweak;
  int deadline_ms;
  Status status;
  Verdict verdict;
  const char* failure_class;
  const char* reason_has;
  int attempts;  // -1: more than one
};

std::vector<Case> matrix() {
  auto none = [](ApprovalSettings&) {};
  auto strict = [](ApprovalSettings& s) {
    s.on_unreachable = s.on_auth_error = Fallback::Deny;
  };
  auto small_cap = [](ApprovalSettings& s) { s.max_response_bytes = 4096; };
  return {
      {"approved after 200 ms, approver named", {Step::approve(200, "alice@example.com")}, none, 5000,
       Status::Approved, Verdict::Allow, "", "Approved via Preloop by alice@example.com: ok (request req-approved).", 1},
      {"declined with a reason", {Step::decline("not during the freeze")}, none, 5000, Status::Declined, Verdict::Deny,
       "", "Denied via Preloop: not during the freeze (request req-declined).", 1},
      {"declined stays deny even when fallbacks are ask", {Step::decline("no")}, none, 5000, Status::Declined,
       Verdict::Deny, "", "Denied via Preloop: no", 1},
      {"timed_out -> deny, even when the other fallbacks are ask", {Step::timed_out()}, none, 5000, Status::TimedOut,
       Verdict::Deny, "", "No approver answered in time (request req-expired); the request expired, so the call is denied.", 1},
      {"500, 502, then approved", {Step::http(500), Step::http(502), Step::approve()}, none, 5000, Status::Approved,
       Verdict::Allow, "", "Approved via Preloop", 3},
      {"429 then approved", {Step::http(429), Step::approve()}, none, 5000, Status::Approved, Verdict::Allow, "",
       "Approved via Preloop", 2},
      {"500 until the deadline -> ask", {Step::http(500)}, none, 1000, Status::Unreachable, Verdict::Ask, "http_5xx",
       "Approval unavailable: approval service error (HTTP 500) after", -1},
      {"500 until the deadline, strict -> deny", {Step::http(503)}, strict, 1000, Status::Unreachable, Verdict::Deny,
       "http_5xx", "approval service error (HTTP 503)", -1},
      {"503, then no answer until the deadline -> the 503 is reported", {Step::http(503), Step::hang()}, none, 1000,
       Status::Unreachable, Verdict::Ask, "http_5xx", "approval service error (HTTP 503)", 2},
      {"401 -> ask, credential wrong or expired, no retry", {Step::http(401, "{\"detail\":\"Token is not bound\"}")},
       none, 5000, Status::AuthError, Verdict::Ask, "auth",
       "the approval service rejected the API key (HTTP 401): the credential from test is wrong or expired", 1},
      {"403 strict -> deny", {Step::http(403)}, strict, 5000, Status::AuthError, Verdict::Deny, "auth",
       "rejected the API key (HTTP 403)", 1},
      {"404 -> no retry", {Step::http(404)}, none, 5000, Status::Unreachable, Verdict::Ask, "http_4xx",
       "refused the request (HTTP 404: no permission-check endpoint at", 1},
      {"never answers -> deadline", {Step::hang()}, none, 1500, Status::Unreachable, Verdict::Ask, "deadline",
       "no answer from the approval service before the hook's deadline", 1},
      {"slow headers past the deadline", {Step::approve(4000)}, strict, 1000, Status::Unreachable, Verdict::Deny,
       "deadline", "no answer from the approval service before the hook's deadline", 1},
      {"connection dropped mid-body, then approved", {Step::reset_mid_body(), Step::approve()}, none, 5000,
       Status::Approved, Verdict::Allow, "", "Approved via Preloop", 2},
      {"connection dropped mid-body every time", {Step::reset_mid_body()}, none, 800, Status::Unreachable, Verdict::Ask,
       "connect", "approval service unreachable (connect:", -1},
      {"garbage JSON -> no retry", {Step::garbage()}, none, 5000, Status::Unreachable, Verdict::Ask, "bad_response",
       "sent an unusable answer: the answer is not a JSON object", 1},
      {"JSON without a decision", {Step::http(200, "{\"status\":\"pending\"}")}, none, 5000, Status::Unreachable,
       Verdict::Ask, "bad_response", "the answer has no 'decision'", 1},
      {"huge body -> capped", {Step::huge(1 << 20)}, small_cap, 5000, Status::Unreachable, Verdict::Ask, "too_large",
       "response larger than 4096 bytes", 1},
  };
}

}  // namespace

TEST_CASE("approval fault matrix (library)") {
  for (const Case& c : matrix()) {
    SUBCASE(c.name) {
      FakePreloop server;
      server.script(kCheck, c.steps);
      ApprovalSettings s = fast_settings();
      c.tweak(s);
      const Credentials creds{server.url(), "tok-secret-123", "test"};
      const auto start = Clock::now();
      const auto deadline = start + std::chrono::milliseconds(c.deadline_ms);
      const ApprovalOutcome o = request_approval(sample_request(), creds, s, deadline);
      const auto elapsed = Clock::now() - start;
      Decision d = pending_decision();
      apply_outcome(d, o, s);
      INFO("reason: " << d.reason);
      CHECK(o.status == c.status);
      CHECK(d.verdict == c.verdict);
      CHECK(d.approval_status == to_string(c.status));
      CHECK(d.failure_class == c.failure_class);
      CHECK(d.reason.find(c.reason_has) != std::string::npos);
      CHECK(d.reason.find("tok-secret-123") == std::string::npos);
      CHECK_FALSE(d.needs_approval);
      if (c.attempts > 0) CHECK(o.attempts == c.attempts);
      else CHECK(o.attempts > 1);
      CHECK(elapsed < std::chrono::milliseconds(c.deadline_ms + 250));
      CHECK(d.approval_wait_ms <= c.deadline_ms + 250);
      if (c.verdict != Verdict::Allow && c.status != Status::Declined)
        CHECK(d.reason.find("rule 'git.push' (policy.yaml:12), workflow 'manual-approval' requires approval.") !=
              std::string::npos);
      // Every attempt carried the same Idempotency-Key and the bearer token.
      const auto seen = server.requests();
      REQUIRE_FALSE(seen.empty());
      for (const auto& r : seen) {
        CHECK(r.method == "POST");
        CHECK(r.path == kCheck);
        CHECK(r.headers.at("authorization") == "Bearer tok-secret-123");
        CHECK(r.headers.at("idempotency-key") == "toolu_01ABC");
      }
    }
  }
}

TEST_CASE("the request body is what Preloop expects plus our context") {
  FakePreloop server;
  server.script(kCheck, {Step::approve()});
  const Credentials creds{server.url(), "tok", "test"};
  request_approval(sample_request(), creds, fast_settings(), Clock::now() + std::chrono::seconds(5));
  const auto seen = server.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].headers.at("content-type") == "application/json");
  const auto body = nlohmann::json::parse(seen[0].body);
  CHECK(body["tool_name"] == "Bash");
  CHECK(body["tool_input"]["command"] == "git push origin main");
  CHECK(body["source"] == "claude_code");
  CHECK(body["session_id"] == "sess-1");
  CHECK(body["cwd"] == "/home/user/project");
  CHECK(body["agent_reasoning"] == "Push the fix");
  CHECK(body["client_decision"] == "ask");
  CHECK(body["client_context"]["rule_id"] == "git.push");
  CHECK(body["client_context"]["approval_workflow"] == "manual-approval");
  CHECK(body["client_context"]["timeout_seconds"] == 300);
  CHECK(body["client_context"]["input_hash"] == "abc123");
  CHECK(body["client_context"]["tool_use_id"] == "toolu_01ABC");
}

TEST_CASE("without a tool_use_id one random key serves every attempt") {
  FakePreloop server;
  server.script(kCheck, {Step::http(500), Step::approve()});
  ApprovalRequest r = sample_request();
  r.tool_use_id.clear();
  const auto o = request_approval(r, {server.url(), "tok", "test"}, fast_settings(),
                                  Clock::now() + std::chrono::seconds(5));
  CHECK(o.status == Status::Approved);
  const auto seen = server.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].headers.at("idempotency-key").rfind("preloop-hook-", 0) == 0);
  CHECK(seen[0].headers.at("idempotency-key").size() > 40);
  CHECK(seen[0].headers.at("idempotency-key") == seen[1].headers.at("idempotency-key"));
}

TEST_CASE("connection refused and reset are retried until the deadline") {
  SUBCASE("refused") {
    const std::string url = "http://127.0.0.1:" + std::to_string(preloop::testing::closed_port());
    const auto start = Clock::now();
    const auto o = request_approval(sample_request(), {url, "tok", "test"}, fast_settings(),
                                    start + std::chrono::milliseconds(700));
    CHECK(o.status == Status::Unreachable);
    CHECK(o.failure_class == "connect");
    CHECK(o.attempts > 1);
    CHECK(Clock::now() - start < std::chrono::milliseconds(950));
  }
  SUBCASE("reset by peer") {
    preloop::testing::ResettingServer rst;
    const auto o = request_approval(sample_request(), {rst.url(), "tok", "test"}, fast_settings(),
                                    Clock::now() + std::chrono::milliseconds(700));
    CHECK(o.status == Status::Unreachable);
    CHECK(o.failure_class == "connect");
    CHECK(rst.connections() > 1);
  }
}

TEST_CASE("a dead service is retried only within the retry window, not the whole budget") {
  const std::string url = "http://127.0.0.1:" + std::to_string(preloop::testing::closed_port());
  ApprovalSettings s = fast_settings();
  s.retry_window = std::chrono::seconds(1);
  const auto start = Clock::now();
  const auto o = request_approval(sample_request(), {url, "tok", "test"}, s, start + std::chrono::seconds(30));
  CHECK(o.status == Status::Unreachable);
  CHECK(o.attempts > 2);
  CHECK(Clock::now() - start < std::chrono::milliseconds(1500));
}

TEST_CASE("plain http to a remote host is refused before anything is sent") {
  const auto o = request_approval(sample_request(), {"http://preloop.example.com", "tok", "test"}, fast_settings(),
                                  Clock::now() + std::chrono::seconds(2));
  CHECK(o.status == Status::Unreachable);
  CHECK(o.failure_class == "bad_url");
  CHECK(o.reason.find("plain http to a non-loopback host") != std::string::npos);
  CHECK(o.attempts == 1);
}

TEST_CASE("TLS: verified against a custom CA bundle, refused without it") {
  const auto certs = preloop::testing::make_test_certs();
  if (certs.ca_file.empty()) {
    MESSAGE("openssl command not available; TLS cases skipped");
    return;
  }
  FakePreloop server(FakePreloop::Tls{certs.cert_file, certs.key_file});
  server.script(kCheck, {Step::approve()});
  const Credentials creds{server.url(), "tok", "test"};
  SUBCASE("system trust store only -> TLS failure, no retry, token never sent") {
    const auto o = request_approval(sample_request(), creds, fast_settings(), Clock::now() + std::chrono::seconds(5));
    CHECK(o.status == Status::Unreachable);
    CHECK(o.failure_class == "tls");
    CHECK(o.attempts == 1);
    CHECK(server.requests().empty());
  }
  SUBCASE("ca_bundle -> approved") {
    ApprovalSettings s = fast_settings();
    s.ca_bundle = certs.ca_file;
    const auto o = request_approval(sample_request(), creds, s, Clock::now() + std::chrono::seconds(5));
    CHECK(o.status == Status::Approved);
    CHECK(server.requests().size() == 1);
  }
  std::filesystem::remove_all(certs.dir);
}
