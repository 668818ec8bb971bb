// One audit record: a row of the store, a line of the spool, a line of an export.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace preloop::audit {

inline constexpr int kSchemaVersion = 1;         // JSONL export / spool line schema
inline constexpr const char* kAgentName = "claude_code";

struct Record {
  std::int64_t seq = 0;            // assigned by the store
  std::string ts;                  // RFC 3339 UTC with ms, e.g. 2026-01-27T10:23:45.123Z
  std::string hook_event;          // PreToolUse | PostToolUse | PostToolUseFailure
  std::string session_id;
  std::string tool_use_id;
  std::string agent_id;
  std::string agent_type;
  std::string cwd;
  std::string permission_mode;
  std::string os_user;              // the name; the store fills it from os_uid when empty
  std::int64_t os_uid = -1;        // effective uid of the hook (journal lines only, not stored)
  std::string host;
  std::string identity;            // Config::identity
  std::string agent = kAgentName;
  std::string tool;
  std::string arguments;           // redacted tool input, compact JSON text
  std::string input_hmac;          // hex HMAC-SHA256(install key, canonical raw input)
  std::string decision;            // allow | ask | deny | none (PreToolUse); empty for results
  std::string reason;
  std::string rule_layer;
  std::string rule_location;       // file:line:col
  std::string rule_id;
  std::string rule_description;
  std::string approval_request_id;
  std::string approval_status;
  std::string approver;
  std::int64_t approval_wait_ms = 0;
  std::string failure_class;
  std::int64_t latency_us = 0;     // hook start to record
  std::string execution_result;    // success | error (PostToolUse*), empty otherwise
  std::optional<std::int64_t> exec_duration_ms;
  std::optional<std::int64_t> output_size;
  std::string exec_error;          // redacted error text (PostToolUseFailure)
  std::string origin = "live";     // live | spool (folded in after the store was unavailable)
  std::string spool_id;            // unique id of a spooled record, empty for live rows
  std::string prompt_id;           // the user prompt the call belongs to (UserPromptSubmit)
  std::string agent_version;       // the agent's version, when known
  std::string prev_hash;           // hex, previous row's hash (64 zeros for the first row)
  std::string hash;                // hex, see compute_hash
};

// The chain hash of r given r.prev_hash, over prev_hash and every other field but
// `hash`, length-prefixed in a fixed order; fields added later (prompt_id,
// agent_version) follow as name and value only when not empty, so rows written
// before them keep their hashes. Keyed (rows from the store's keyed_from
// on): HMAC-SHA256(install key, "preloop-audit-v2\0" || fields); with an empty key,
// the plain hash of rows written before keys: SHA-256("preloop-audit-v1\0" || fields).
std::string compute_hash(const Record& r, std::string_view key);
inline const std::string kGenesisHash(64, '0');

// JSON object of a record with the export field names (timestamp, user, agent, tool,
// arguments, approval_status, approver, execution_result, ... and schema_version).
nlohmann::json to_json(const Record& r);
// One spool line: to_json(r) plus os_uid as compact JSON text, written directly
// (building the JSON value re-parses the arguments: the larger part of a hook's
// audit cost on a big input).
std::string to_json_line(const Record& r);
// Inverse of to_json for spool lines; throws nlohmann::json::exception on a bad line.
Record from_json(const nlohmann::json& j);

// UTC time as RFC 3339 with milliseconds: now, or milliseconds since the epoch.
std::string now_rfc3339();
std::string format_rfc3339(std::int64_t epoch_ms);

}  // namespace preloop::audit
