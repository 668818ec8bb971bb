#include "audit/rows.h"

#include <sqlite3.h>

namespace preloop::audit {
namespace {

void text(sqlite3_stmt* st, int i, const std::string& s) {
  sqlite3_bind_text(st, i, s.data(), int(s.size()), SQLITE_STATIC);
}
void integer(sqlite3_stmt* st, int i, const std::optional<std::int64_t>& v) {
  if (v)
    sqlite3_bind_int64(st, i, *v);
  else
    sqlite3_bind_null(st, i);
}
std::string col_text(sqlite3_stmt* st, int i) {
  const unsigned char* p = sqlite3_column_text(st, i);
  return p ? std::string(reinterpret_cast<const char*>(p), std::size_t(sqlite3_column_bytes(st, i))) : std::string();
}
std::optional<std::int64_t> col_opt(sqlite3_stmt* st, int i) {
  if (sqlite3_column_type(st, i) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(st, i);
}

}  // namespace

void bind_record(sqlite3_stmt* st, const Record& r) {
  int i = 1;
  sqlite3_bind_int64(st, i++, r.seq);
  for (const std::string* s : {&r.ts, &r.hook_event, &r.session_id, &r.tool_use_id, &r.agent_id, &r.agent_type,
                               &r.cwd, &r.permission_mode, &r.os_user, &r.host, &r.identity, &r.agent, &r.tool,
                               &r.arguments, &r.input_hmac, &r.decision, &r.reason, &r.rule_layer, &r.rule_location,
                               &r.rule_id, &r.rule_description, &r.approval_request_id, &r.approval_status,
                               &r.approver})
    text(st, i++, *s);
  sqlite3_bind_int64(st, i++, r.approval_wait_ms);
  text(st, i++, r.failure_class);
  sqlite3_bind_int64(st, i++, r.latency_us);
  text(st, i++, r.execution_result);
  integer(st, i++, r.exec_duration_ms);
  integer(st, i++, r.output_size);
  for (const std::string* s : {&r.exec_error, &r.origin, &r.spool_id, &r.prompt_id, &r.agent_version, &r.prev_hash,
                               &r.hash})
    text(st, i++, *s);
}

Record read_record(sqlite3_stmt* st) {
  Record r;
  int i = 0;
  r.seq = sqlite3_column_int64(st, i++);
  for (std::string* s : {&r.ts, &r.hook_event, &r.session_id, &r.tool_use_id, &r.agent_id, &r.agent_type, &r.cwd,
                         &r.permission_mode, &r.os_user, &r.host, &r.identity, &r.agent, &r.tool, &r.arguments,
                         &r.input_hmac, &r.decision, &r.reason, &r.rule_layer, &r.rule_location, &r.rule_id,
                         &r.rule_description, &r.approval_request_id, &r.approval_status, &r.approver})
    *s = col_text(st, i++);
  r.approval_wait_ms = sqlite3_column_int64(st, i++);
  r.failure_class = col_text(st, i++);
  r.latency_us = sqlite3_column_int64(st, i++);
  r.execution_result = col_text(st, i++);
  r.exec_duration_ms = col_opt(st, i++);
  r.output_size = col_opt(st, i++);
  for (std::string* s : {&r.exec_error, &r.origin, &r.spool_id, &r.prompt_id, &r.agent_version, &r.prev_hash, &r.hash})
    *s = col_text(st, i++);
  return r;
}

}  // namespace preloop::audit
