#include "audit/record.h"

#include <chrono>
#include <cstdio>

#include "audit/json_text.h"
#include "protocol/json_depth.h"
#include "audit/sha256.h"

namespace preloop::audit {
namespace {

template <class H>
void field(H& h, std::string_view s) {
  // 8-byte big-endian length, then the bytes: unambiguous for any content.
  std::uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = std::uint8_t(std::uint64_t(s.size()) >> (56 - 8 * i));
  h.update(len, 8).update(s);
}

template <class H>
void field(H& h, std::int64_t v) { field(h, std::to_string(v)); }

template <class H>
void field(H& h, const std::optional<std::int64_t>& v) { field(h, v ? std::to_string(*v) : std::string("null")); }

// prev_hash, seq and every field but `hash`, in a fixed order.
template <class H>
Digest chain_digest(H&& h, std::string_view tag, const Record& r) {
  h.update(tag);
  field(h, r.prev_hash);
  field(h, r.seq);
  for (const std::string* s : {&r.ts, &r.hook_event, &r.session_id, &r.tool_use_id, &r.agent_id, &r.agent_type,
                               &r.cwd, &r.permission_mode, &r.os_user, &r.host, &r.identity, &r.agent, &r.tool,
                               &r.arguments, &r.input_hmac, &r.decision, &r.reason, &r.rule_layer, &r.rule_location,
                               &r.rule_id, &r.rule_description, &r.approval_request_id, &r.approval_status,
                               &r.approver})
    field(h, *s);
  field(h, r.approval_wait_ms);
  field(h, r.failure_class);
  field(h, r.latency_us);
  field(h, r.execution_result);
  field(h, r.exec_duration_ms);
  field(h, r.output_size);
  field(h, r.exec_error);
  field(h, r.origin);
  field(h, r.spool_id);
  for (auto [name, value] : {std::pair<std::string_view, const std::string*>{"prompt_id", &r.prompt_id},
                             {"agent_version", &r.agent_version}})
    if (!value->empty()) {
      field(h, name);
      field(h, *value);
    }
  return h.finish();
}

template <class T>
T get_or(const nlohmann::json& j, const char* key, T fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  return it->get<T>();
}

std::optional<std::int64_t> get_opt(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

std::string compute_hash(const Record& r, std::string_view key) {
  if (key.empty()) return to_hex(chain_digest(Sha256(), std::string_view("preloop-audit-v1\0", 17), r));
  return to_hex(chain_digest(HmacSha256(key), std::string_view("preloop-audit-v2\0", 17), r));
}

nlohmann::json to_json(const Record& r) {
  // Rows can be edited behind the guard's back: nesting too deep to walk stays text.
  nlohmann::json args = protocol::json_too_deep(r.arguments)
                            ? nlohmann::json(nlohmann::json::value_t::discarded)
                            : nlohmann::json::parse(r.arguments.empty() ? "null" : r.arguments, nullptr, false);
  if (args.is_discarded()) args = r.arguments;
  auto opt = [](const std::optional<std::int64_t>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  return {{"schema_version", kSchemaVersion},
          {"seq", r.seq},
          {"timestamp", r.ts},
          {"hook_event", r.hook_event},
          {"user", r.identity.empty() ? r.os_user : r.identity},
          {"os_user", r.os_user},
          {"host", r.host},
          {"identity", r.identity},
          {"agent", r.agent},
          {"session_id", r.session_id},
          {"tool_use_id", r.tool_use_id},
          {"agent_id", r.agent_id},
          {"agent_type", r.agent_type},
          {"cwd", r.cwd},
          {"permission_mode", r.permission_mode},
          {"tool", r.tool},
          {"arguments", args},
          {"input_hmac", r.input_hmac},
          {"decision", r.decision},
          {"reason", r.reason},
          {"rule_layer", r.rule_layer},
          {"rule_location", r.rule_location},
          {"rule_id", r.rule_id},
          {"rule_description", r.rule_description},
          {"approval_request_id", r.approval_request_id},
          {"approval_status", r.approval_status},
          {"approver", r.approver},
          {"approval_wait_ms", r.approval_wait_ms},
          {"failure_class", r.failure_class},
          {"latency_us", r.latency_us},
          {"execution_result", r.execution_result},
          {"duration_ms", opt(r.exec_duration_ms)},
          {"output_size", opt(r.output_size)},
          {"error", r.exec_error},
          {"origin", r.origin},
          {"spool_id", r.spool_id},
          {"prompt_id", r.prompt_id},
          {"agent_version", r.agent_version},
          {"prev_hash", r.prev_hash},
          {"hash", r.hash}};
}

std::string to_json_line(const Record& r) {
  std::string o = "{";
  o.reserve(1024 + r.arguments.size() + r.reason.size() + r.exec_error.size());
  auto key = [&](const char* k) {
    if (o.size() > 1) o += ',';
    o += '"';
    o += k;
    o += "\":";
  };
  auto str = [&](const char* k, const std::string& v) {
    key(k);
    append_json_string(o, v);
  };
  auto num = [&](const char* k, std::optional<std::int64_t> v) {
    key(k);
    o += v ? std::to_string(*v) : "null";
  };
  num("schema_version", kSchemaVersion);
  num("seq", r.seq);
  str("timestamp", r.ts);
  str("hook_event", r.hook_event);
  str("user", r.identity.empty() ? r.os_user : r.identity);
  str("os_user", r.os_user);
  if (r.os_uid >= 0) num("os_uid", r.os_uid);
  str("host", r.host);
  str("identity", r.identity);
  str("agent", r.agent);
  str("session_id", r.session_id);
  str("tool_use_id", r.tool_use_id);
  str("agent_id", r.agent_id);
  str("agent_type", r.agent_type);
  str("cwd", r.cwd);
  str("permission_mode", r.permission_mode);
  str("tool", r.tool);
  key("arguments");
  if (r.arguments.empty()) o += "null";
  else if (is_json(r.arguments)) o += r.arguments;  // exactly one value: nothing can leak into other keys
  else append_json_string(o, r.arguments);
  str("input_hmac", r.input_hmac);
  str("decision", r.decision);
  str("reason", r.reason);
  str("rule_layer", r.rule_layer);
  str("rule_location", r.rule_location);
  str("rule_id", r.rule_id);
  str("rule_description", r.rule_description);
  str("approval_request_id", r.approval_request_id);
  str("approval_status", r.approval_status);
  str("approver", r.approver);
  num("approval_wait_ms", r.approval_wait_ms);
  str("failure_class", r.failure_class);
  num("latency_us", r.latency_us);
  str("execution_result", r.execution_result);
  num("duration_ms", r.exec_duration_ms);
  num("output_size", r.output_size);
  str("error", r.exec_error);
  str("origin", r.origin);
  str("spool_id", r.spool_id);
  str("prompt_id", r.prompt_id);
  str("agent_version", r.agent_version);
  str("prev_hash", r.prev_hash);
  str("hash", r.hash);
  o += '}';
  // Text that is not UTF-8 (a rule message, say) gets the replacement character,
  // as nlohmann would write it, so that the line can be read back.
  if (!is_json(o)) {
    nlohmann::json j = to_json(r);
    if (r.os_uid >= 0) j["os_uid"] = r.os_uid;
    o = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return o;
}

Record from_json(const nlohmann::json& j) {
  Record r;
  r.seq = get_or<std::int64_t>(j, "seq", 0);
  r.ts = get_or<std::string>(j, "timestamp", "");
  r.hook_event = get_or<std::string>(j, "hook_event", "");
  r.os_user = get_or<std::string>(j, "os_user", "");
  r.os_uid = get_or<std::int64_t>(j, "os_uid", -1);
  r.host = get_or<std::string>(j, "host", "");
  r.identity = get_or<std::string>(j, "identity", "");
  r.agent = get_or<std::string>(j, "agent", kAgentName);
  r.session_id = get_or<std::string>(j, "session_id", "");
  r.tool_use_id = get_or<std::string>(j, "tool_use_id", "");
  r.agent_id = get_or<std::string>(j, "agent_id", "");
  r.agent_type = get_or<std::string>(j, "agent_type", "");
  r.cwd = get_or<std::string>(j, "cwd", "");
  r.permission_mode = get_or<std::string>(j, "permission_mode", "");
  r.tool = get_or<std::string>(j, "tool", "");
  auto args = j.find("arguments");
  r.arguments = (args == j.end() || args->is_null()) ? "" : args->dump();
  r.input_hmac = get_or<std::string>(j, "input_hmac", "");
  r.decision = get_or<std::string>(j, "decision", "");
  r.reason = get_or<std::string>(j, "reason", "");
  r.rule_layer = get_or<std::string>(j, "rule_layer", "");
  r.rule_location = get_or<std::string>(j, "rule_location", "");
  r.rule_id = get_or<std::string>(j, "rule_id", "");
  r.rule_description = get_or<std::string>(j, "rule_description", "");
  r.approval_request_id = get_or<std::string>(j, "approval_request_id", "");
  r.approval_status = get_or<std::string>(j, "approval_status", "");
  r.approver = get_or<std::string>(j, "approver", "");
  r.approval_wait_ms = get_or<std::int64_t>(j, "approval_wait_ms", 0);
  r.failure_class = get_or<std::string>(j, "failure_class", "");
  r.latency_us = get_or<std::int64_t>(j, "latency_us", 0);
  r.execution_result = get_or<std::string>(j, "execution_result", "");
  r.exec_duration_ms = get_opt(j, "duration_ms");
  r.output_size = get_opt(j, "output_size");
  r.exec_error = get_or<std::string>(j, "error", "");
  r.origin = get_or<std::string>(j, "origin", "live");
  r.spool_id = get_or<std::string>(j, "spool_id", "");
  r.prompt_id = get_or<std::string>(j, "prompt_id", "");
  r.agent_version = get_or<std::string>(j, "agent_version", "");
  return r;
}

// Calendar arithmetic of <chrono>, not gmtime_r: glibc loads /etc/localtime on
// the first gmtime_r of a process (seven system calls per hook for nothing).
std::string format_rfc3339(std::int64_t ms) {
  using namespace std::chrono;
  sys_time<milliseconds> t{milliseconds(ms)};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss hms{t - day};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()),
                int(hms.seconds().count()), int(hms.subseconds().count()));
  return buf;
}

std::string now_rfc3339() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return format_rfc3339(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

}  // namespace preloop::audit
