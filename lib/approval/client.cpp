#include "approval/client.h"

#include <algorithm>
#include <random>

#include "approval/http.h"
#include "approval/retry.h"
#include "protocol/json_depth.h"

namespace preloop::approval {
namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr std::size_t kMaxReasoning = 2000;
constexpr std::size_t kMaxServiceText = 500;
constexpr std::size_t kMaxOperatorNote = 2000;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Cuts s to at most n bytes on a UTF-8 boundary.
std::string cut(const std::string& s, std::size_t n) {
  if (s.size() <= n) return s;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return s.substr(0, n) + "…[" + std::to_string(s.size() - n) + " bytes cut]";
}

void cut_strings(json& j, std::size_t limit) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    if (s.size() > limit) j = cut(s, limit);
  } else if (j.is_structured()) {
    for (auto& v : j) cut_strings(v, limit);
  }
}

// Text from the network shown to the agent or user: printable, bounded.
std::string clean(const std::string& s, std::size_t limit = kMaxServiceText) {
  std::string out;
  for (unsigned char c : s) out += (c < 0x20 || c == 0x7f) ? ' ' : char(c);
  return cut(out, limit);
}

std::string random_key() {
  std::random_device rd;
  static const char* hex = "0123456789abcdef";
  std::string k = "preloop-hook-";
  for (int i = 0; i < 8; ++i) {
    const unsigned v = rd();
    for (int b = 0; b < 4; ++b) k += hex[(v >> (b * 8 + 4)) & 15], k += hex[(v >> (b * 8)) & 15];
  }
  return k;
}

std::string string_field(const json& j, const char* key) {
  const auto it = j.find(key);
  return (it != j.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

}  // namespace

const char* to_string(Status s) {
  switch (s) {
    case Status::Approved: return "approved";
    case Status::Declined: return "declined";
    case Status::TimedOut: return "timed_out";
    case Status::Unreachable: return "unreachable";
    case Status::AuthError: return "auth_error";
  }
  return "unreachable";
}

std::string build_request_body(const ApprovalRequest& req, std::size_t max_bytes) {
  json body = {
      {"tool_name", req.tool_name},
      {"tool_input", req.tool_input.is_object() ? req.tool_input : json::object()},
      {"source", "claude_code"},
      {"session_id", req.session_id},
      {"cwd", req.cwd},
      {"agent_reasoning", cut(req.agent_reasoning, kMaxReasoning)},
      {"client_decision", req.client_decision},
      {"evaluation_phase", req.evaluation_phase},
      {"client_context",
       {{"client", "preloop-hook"},
        {"tool_use_id", req.tool_use_id},
        {"rule_id", req.rule_id},
        {"rule_location", req.rule_location},
        {"approval_workflow", req.workflow},
        {"timeout_seconds", req.timeout_seconds},
        {"input_hash", req.input_hash},
        {"audit_head", req.audit_head}}},
  };
  if (req.repository.is_object()) body["repository"] = req.repository;
  std::string text = dump(body);
  for (std::size_t limit = max_bytes / 2; text.size() > max_bytes && limit >= 64; limit /= 2) {
    cut_strings(body["tool_input"], limit);
    body["client_context"]["tool_input_truncated"] = true;
    text = dump(body);
  }
  if (text.size() > max_bytes) {  // too many small fields: send a preview only
    const std::string preview = cut(dump(req.tool_input), max_bytes / 4);
    body["tool_input"] = json{{"preview", preview}};
    body["client_context"]["tool_input_truncated"] = true;
    text = dump(body);
  }
  return text;
}

bool parse_decision(const std::string& body, ApprovalOutcome* out, std::string* why) {
  if (protocol::json_too_deep(body)) {
    *why = "the answer nests JSON deeper than " + std::to_string(protocol::kMaxJsonDepth) + " levels";
    return false;
  }
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *why = "the answer is not a JSON object";
    return false;
  }
  const std::string decision = string_field(j, "decision");
  const auto t = j.find("timed_out");
  const bool timed_out = t != j.end() && t->is_boolean() && t->get<bool>();
  out->reason = clean(string_field(j, "reason"));
  out->request_id = clean(string_field(j, "request_id"));
  out->operator_note = clean(string_field(j, "operator_note"), kMaxOperatorNote);
  for (const char* k : {"approver", "approved_by", "decided_by"})
    if (out->approver.empty()) out->approver = clean(string_field(j, k));
  if (decision == "allow" || decision == "approved") {
    out->status = Status::Approved;
  } else if (decision == "deny" || decision == "declined") {
    out->status = timed_out ? Status::TimedOut : Status::Declined;
  } else {
    *why = decision.empty() ? "the answer has no 'decision'" : "unknown decision '" + clean(decision) + "'";
    return false;
  }
  return true;
}

ApprovalOutcome request_approval(const ApprovalRequest& req, const Credentials& creds,
                                 const ApprovalSettings& settings, Clock::time_point deadline) {
  const auto start = Clock::now();
  ApprovalOutcome out;
  HttpRequest http;
  http.method = "POST";
  http.url = creds.url + "/api/v1/agents/permission-check";
  http.body = build_request_body(req, settings.max_body_bytes);
  http.headers = {{"Content-Type", "application/json"},
                  {"Accept", "application/json"},
                  {"Authorization", "Bearer " + creds.token},
                  {"Idempotency-Key", req.tool_use_id.empty() ? random_key() : req.tool_use_id}};
  http.ca_bundle = settings.ca_bundle;
  http.proxy = settings.proxy;
  http.max_response_bytes = settings.max_response_bytes;
  http.connect_timeout = settings.connect_timeout;

  const HttpResponse resp = perform_with_retry(http, settings, deadline, &out.attempts);
  out.wait_ms = duration_cast<milliseconds>(Clock::now() - start).count();
  out.http_status = resp.status;
  const std::string tries = out.attempts > 1 ? " after " + std::to_string(out.attempts) + " attempts" : "";

  if (resp.error == HttpError::Timeout) {
    out.failure_class = "deadline";
    out.reason = "no answer from the approval service before the hook's deadline (" +
                 std::to_string(out.wait_ms / 1000) + "s)";
  } else if (resp.error != HttpError::None) {
    out.failure_class = to_string(resp.error);
    out.reason = "approval service unreachable (" + out.failure_class + ": " + clean(resp.error_detail) + ")" + tries;
  } else if (resp.status == 401 || resp.status == 403) {
    out.status = Status::AuthError;
    out.failure_class = "auth";
    out.reason = "the approval service rejected the API key (HTTP " + std::to_string(resp.status) +
                 "): the credential from " + creds.source + " is wrong or expired";
  } else if (resp.status >= 500 || resp.status == 429) {
    out.failure_class = resp.status == 429 ? "http_429" : "http_5xx";
    out.reason = "approval service error (HTTP " + std::to_string(resp.status) + ")" + tries;
  } else if (resp.status != 200) {
    out.failure_class = "http_4xx";
    out.reason = "approval service refused the request (HTTP " + std::to_string(resp.status) +
                 (resp.status == 404 ? ": no permission-check endpoint at " + clean(creds.url) : std::string()) + ")";
  } else if (std::string why; !parse_decision(resp.body, &out, &why)) {
    out.status = Status::Unreachable;
    out.failure_class = "bad_response";
    out.reason = "approval service sent an unusable answer: " + why;
  }
  return out;
}

}  // namespace preloop::approval
