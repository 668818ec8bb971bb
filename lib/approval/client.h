// The approval client: Preloop's blocking permission check,
//   POST {url}/api/v1/agents/permission-check   Authorization: Bearer <token>
// retried on connection failures, 429 and 5xx with exponential backoff and
// full jitter, always within the caller's deadline, with one Idempotency-Key
// for all attempts.
#pragma once

#include <chrono>
#include <string>

#include <nlohmann/json.hpp>

#include "approval/credentials.h"
#include "approval/settings.h"

namespace preloop::approval {

using Clock = std::chrono::steady_clock;

struct ApprovalRequest {
  std::string tool_name;
  nlohmann::json tool_input = nlohmann::json::object();  // already masked
  std::string session_id;
  std::string cwd;
  std::string tool_use_id;       // the Idempotency-Key (a random one when empty)
  std::string agent_reasoning;   // shown to the approver
  std::string client_decision = "ask";
  // Preloop's evaluation phase: a PreToolUse hook checks before Claude Code's
  // own permission decision, so its allow never grants the host's permission.
  std::string evaluation_phase = "pre_tool_use";
  nlohmann::json repository;     // observe_repository(cwd), or null
  // Our context; Preloop ignores unknown fields.
  std::string rule_id;
  std::string rule_location;     // file:line
  std::string workflow;
  int timeout_seconds = 0;
  std::string input_hash;        // keyed hash of the unmasked input
  nlohmann::json audit_head;     // {"seq":..,"hash":..} or null
};

enum class Status { Approved, Declined, TimedOut, Unreachable, AuthError };

struct ApprovalOutcome {
  Status status = Status::Unreachable;
  std::string reason;         // the service's reason or our explanation (no secrets)
  std::string request_id;
  std::string approver;
  std::string operator_note;  // a note from the service's operator for the model (cleaned, capped)
  long long wait_ms = 0;
  int attempts = 0;
  long http_status = 0;
  std::string failure_class;  // empty | connect | tls | deadline | http_5xx | http_4xx | bad_response | too_large | ...
};

// "approved" "declined" "timed_out" "unreachable" "auth_error"
const char* to_string(Status s);

// The JSON body, at most max_bytes: long strings in tool_input are cut first.
std::string build_request_body(const ApprovalRequest& req, std::size_t max_bytes);

// Asks the service and waits for the verdict, never past deadline.
ApprovalOutcome request_approval(const ApprovalRequest& req, const Credentials& creds,
                                 const ApprovalSettings& settings, Clock::time_point deadline);

// Parses a 200 answer: {decision, reason, request_id, timed_out[, approver, operator_note]}.
// Returns false (and sets *why) when it is not one.
bool parse_decision(const std::string& body, ApprovalOutcome* out, std::string* why);

}  // namespace preloop::approval
