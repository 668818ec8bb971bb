#include "forward/render.h"

#include <cstdio>
#include <ctime>
#include <set>

namespace preloop::forward {
namespace {

using nlohmann::json;

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Names of the record's columns in the OpenTelemetry world; the rest are preloop.<column>.
const char* otel_name(const std::string& column) {
  static const std::pair<const char*, const char*> kNames[] = {
      {"session_id", "session.id"},       {"prompt_id", "prompt.id"},       {"tool_use_id", "tool_use_id"},
      {"tool", "gen_ai.tool.name"},       {"host", "host.name"},            {"seq", "preloop.chain.seq"},
      {"hash", "preloop.chain.hash"},     {"prev_hash", "preloop.chain.prev_hash"}};
  for (const auto& [from, to] : kNames)
    if (column == from) return to;
  return nullptr;
}

std::string summary(const audit::Record& r) {
  std::string s = r.hook_event + " " + r.tool;
  if (!r.decision.empty()) s += " " + r.decision;
  if (!r.execution_result.empty()) s += " " + r.execution_result;
  if (!r.reason.empty()) s += ": " + r.reason;
  return s;
}

bool denied(const audit::Record& r) { return r.decision == "deny" || r.decision == "would_deny"; }

// The secret kinds whose markers ("[REDACTED:<kind>:<tag>]") appear in the record.
std::vector<std::string> masked_kinds(const json& record) {
  const std::string text = dump(record);
  std::set<std::string> kinds;
  static constexpr std::string_view kMarker = "[REDACTED:";
  for (auto at = text.find(kMarker); at != std::string::npos; at = text.find(kMarker, at + 1)) {
    const auto from = at + kMarker.size();
    const auto end = text.find_first_of(":]", from);
    if (end != std::string::npos && end > from && end - from <= 64) kinds.insert(text.substr(from, end - from));
  }
  return {kinds.begin(), kinds.end()};
}

json any_value(const json& v) {
  if (v.is_string()) return {{"stringValue", v}};
  if (v.is_boolean()) return {{"boolValue", v}};
  if (v.is_number_integer()) return {{"intValue", std::to_string(v.get<std::int64_t>())}};
  if (v.is_number()) return {{"doubleValue", v}};
  return {{"stringValue", dump(v)}};
}

json kv(const std::string& key, const json& v) { return {{"key", key}, {"value", any_value(v)}}; }

std::string nanos_text(std::int64_t ns) { return std::to_string(ns); }

std::int64_t now_nanos() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

// --- OCSF ---------------------------------------------------------------------

struct OcsfClass {
  int uid;
  const char* name;
  int category;
  const char* category_name;
};
constexpr OcsfClass kProcess{1007, "Process Activity", 1, "System Activity"};
constexpr OcsfClass kFile{1001, "File System Activity", 1, "System Activity"};
constexpr OcsfClass kApi{6003, "API Activity", 6, "Application Activity"};
constexpr OcsfClass kFinding{2004, "Detection Finding", 2, "Findings"};

std::string arg(const json& args, std::initializer_list<const char*> keys) {
  if (!args.is_object()) return "";
  for (const char* k : keys)
    if (auto it = args.find(k); it != args.end() && it->is_string()) return it->get<std::string>();
  return "";
}

json ocsf_base(const OcsfClass& c, int activity, const char* activity_name, const audit::Record& r, const Origin& o) {
  const std::int64_t ms = unix_nanos(r.ts) / 1000000;
  json e{{"class_uid", c.uid},
         {"class_name", c.name},
         {"category_uid", c.category},
         {"category_name", c.category_name},
         {"activity_id", activity},
         {"activity_name", activity_name},
         {"type_uid", c.uid * 100 + activity},
         {"type_name", std::string(c.name) + ": " + activity_name},
         {"time", ms},
         {"severity_id", denied(r) ? 3 : 1},
         {"severity", denied(r) ? "Medium" : "Informational"},
         {"message", summary(r)},
         {"metadata",
          {{"version", "1.3.0"},
           {"uid", stable_id(o.host_id, r)},
           {"correlation_uid", r.session_id},
           {"log_name", "audit"},
           {"original_time", r.ts},
           {"product", {{"name", "preloop-hook"}, {"vendor_name", "Preloop"}, {"version", o.service_version}}}}},
         {"actor",
          {{"user", {{"name", r.identity.empty() ? r.os_user : r.identity}}},
           {"session", {{"uid", r.session_id}}},
           {"app_name", r.agent}}},
         {"device", {{"hostname", r.host.empty() ? o.host : r.host}, {"uid", o.host_id}, {"type_id", 0}}}};
  const std::string& d = r.decision;
  if (d == "allow") e.update({{"action_id", 1}, {"action", "Allowed"}, {"disposition_id", 1}, {"disposition", "Allowed"}});
  else if (d == "deny") e.update({{"action_id", 2}, {"action", "Denied"}, {"disposition_id", 2}, {"disposition", "Blocked"}});
  else if (d == "ask") e.update({{"action_id", 99}, {"action", "Ask"}, {"disposition_id", 14}, {"disposition", "Delayed"}});
  else if (d.starts_with("would_"))
    e.update({{"action_id", 99}, {"action", "Observed"}, {"disposition_id", 17}, {"disposition", "Logged"}});
  return e;
}

json file_event(const audit::Record& r, const json& args, const Origin& o) {
  int activity = 2;
  const char* name = "Read";
  if (r.tool == "Write") activity = 1, name = "Create";
  else if (r.tool == "Edit" || r.tool == "MultiEdit" || r.tool == "NotebookEdit") activity = 3, name = "Update";
  json e = ocsf_base(kFile, activity, name, r, o);
  std::string path = arg(args, {"file_path", "notebook_path", "path", "pattern"});
  const auto slash = path.rfind('/');
  e["file"] = {{"path", path}, {"name", slash == std::string::npos ? path : path.substr(slash + 1)}, {"type_id", 1}};
  return e;
}

}  // namespace

std::int64_t unix_nanos(const std::string& ts) {
  int y, mo, d, h, mi, s, ms = 0, used = 0;
  if (std::sscanf(ts.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6) return 0;
  const char* rest = ts.c_str() + used;
  if (*rest == '.') {
    int digits = 0;
    for (++rest; *rest >= '0' && *rest <= '9'; ++rest)
      if (digits++ < 3) ms = ms * 10 + (*rest - '0');
    for (; digits < 3; ++digits) ms *= 10;
  }
  if (*rest != 'Z' || rest[1] != '\0') return 0;
  std::tm tm{};
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d, tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = s;
  return (std::int64_t(::timegm(&tm)) * 1000 + ms) * 1000000;
}

std::string stable_id(const std::string& host_id, const audit::Record& r) {
  return host_id + "-" + std::to_string(r.seq) + "-" + r.hash.substr(0, 16);
}

std::string finding_id(const std::string& host_id, const audit::Record& r) {
  return stable_id(host_id, r) + "-finding";
}

json flat_attributes(const audit::Record& r, const Origin& o) {
  const json record = audit::to_json(r);
  json out = json::object();
  out["event.name"] = "preloop.audit";
  out["gen_ai.operation.name"] = "execute_tool";
  out["preloop.record.id"] = stable_id(o.host_id, r);
  out["preloop.host_id"] = o.host_id;
  out["preloop.chain.head_seq"] = o.head_seq;
  out["preloop.chain.head_hash"] = o.head_hash;
  for (const auto& [column, value] : record.items()) {
    if (value.is_null() || (value.is_string() && value.get_ref<const std::string&>().empty())) continue;
    const char* name = otel_name(column);
    out[name ? name : "preloop." + column] = value;
    if (column == "tool_use_id") out["gen_ai.tool.call.id"] = value;
  }
  return out;
}

std::vector<json> ocsf_events(const audit::Record& r, const Origin& o) {
  const json record = audit::to_json(r);
  const json& args = record["arguments"];
  std::vector<json> out;
  static const std::set<std::string> kFileTools = {"Read", "Write", "Edit", "MultiEdit", "NotebookEdit",
                                                   "Glob", "Grep", "LS"};
  const bool post = !r.execution_result.empty();
  if (r.tool == "Bash") {
    json e = ocsf_base(kProcess, post ? 2 : 1, post ? "Terminate" : "Launch", r, o);
    e["process"] = {{"cmd_line", arg(args, {"command"})}, {"name", "bash"}};
    out.push_back(std::move(e));
  } else if (kFileTools.count(r.tool)) {
    out.push_back(file_event(r, args, o));
  } else {
    json e = ocsf_base(kApi, 99, "Other", r, o);
    std::string service = r.tool;
    if (r.tool.starts_with("mcp__")) {
      const auto end = r.tool.find("__", 5);
      service = r.tool.substr(5, end == std::string::npos ? std::string::npos : end - 5);
    }
    e["api"] = {{"operation", r.tool}, {"service", {{"name", service}}}};
    e["src_endpoint"] = {{"hostname", r.host.empty() ? o.host : r.host}};
    out.push_back(std::move(e));
  }
  out.back()["unmapped"] = flat_attributes(r, o);
  if (auto kinds = masked_kinds(record); !kinds.empty()) {
    json f = ocsf_base(kFinding, 1, "Create", r, o);
    f["severity_id"] = 3;
    f["severity"] = "Medium";
    f["message"] = "secrets masked in the " + r.tool + " call's record";
    f["metadata"]["uid"] = finding_id(o.host_id, r);
    f["finding_info"] = {{"uid", stable_id(o.host_id, r) + "-secrets"},
                         {"title", "Secret in an agent's tool call"},
                         {"desc", "The audit record of this call had secrets masked; kinds are listed in types."},
                         {"types", kinds},
                         {"related_events", json::array({{{"uid", stable_id(o.host_id, r)}}})}};
    out.push_back(std::move(f));
  }
  return out;
}

std::string otlp_body(const std::vector<audit::Record>& batch, const Origin& o) {
  json records = json::array();
  const std::string observed = nanos_text(now_nanos());
  for (const audit::Record& r : batch) {
    json attributes = json::array();
    const json flat = flat_attributes(r, o);
    for (const auto& [key, value] : flat.items())
      if (key != "host.name" && key != "preloop.host_id") attributes.push_back(kv(key, value));
    const bool deny = denied(r);
    const bool ask = r.decision == "ask";
    records.push_back({{"timeUnixNano", nanos_text(unix_nanos(r.ts))},
                       {"observedTimeUnixNano", observed},
                       {"severityNumber", deny ? 13 : ask ? 10 : 9},
                       {"severityText", deny ? "WARN" : ask ? "INFO2" : "INFO"},
                       {"body", {{"stringValue", summary(r)}}},
                       {"attributes", attributes}});
  }
  json resource = json::array({kv("service.name", "preloop-hook"), kv("service.version", o.service_version),
                               kv("host.name", batch.empty() || batch.front().host.empty() ? o.host : batch.front().host),
                               kv("host.id", o.host_id)});
  json scope_attributes = json::array({kv("preloop.chain.head_seq", o.head_seq), kv("preloop.chain.head_hash", o.head_hash)});
  json body{{"resourceLogs",
             json::array({{{"resource", {{"attributes", resource}}},
                           {"scopeLogs",
                            json::array({{{"scope", {{"name", "preloop-hook.audit"},
                                                     {"version", o.service_version},
                                                     {"attributes", scope_attributes}}},
                                          {"logRecords", records}}})}}})}};
  return dump(body);
}

namespace {

// The id a receiver deduplicates an event by: an OCSF event's metadata.uid, else the record's.
std::string event_id(const json& e, const audit::Record& r, const Origin& o) {
  if (auto m = e.find("metadata"); m != e.end() && m->is_object())
    if (auto uid = m->find("uid"); uid != m->end() && uid->is_string()) return uid->get<std::string>();
  return stable_id(o.host_id, r);
}

}  // namespace

std::string hec_body(const std::vector<audit::Record>& batch, const Origin& o, const ForwardSink& sink) {
  std::string out;
  for (const audit::Record& r : batch) {
    std::vector<json> events;
    if (sink.format == SinkFormat::Ocsf) events = ocsf_events(r, o);
    else events.push_back(flat_attributes(r, o));
    for (json& e : events) {
      const std::string id = event_id(e, r, o);
      json h{{"time", double(unix_nanos(r.ts) / 1000000) / 1000.0},
             {"host", r.host.empty() ? o.host : r.host},
             {"source", sink.source.empty() ? "preloop-hook" : sink.source},
             {"sourcetype", sink.sourcetype},
             {"event", std::move(e)},
             {"fields",
              {{"preloop_record_id", id},
               {"preloop_host_id", o.host_id},
               {"preloop_chain_seq", std::to_string(r.seq)},
               {"preloop_head_seq", std::to_string(o.head_seq)},
               {"preloop_head_hash", o.head_hash}}}};
      if (!sink.index.empty()) h["index"] = sink.index;
      out += dump(h);
      out += '\n';
    }
  }
  return out;
}

namespace {

// PRINTUSASCII without spaces, at most `max` characters; "-" when empty.
std::string header_field(const std::string& s, std::size_t max) {
  std::string out;
  for (unsigned char c : s)
    if (c > 32 && c < 127 && out.size() < max) out += char(c);
  return out.empty() ? "-" : out;
}

// An SD-PARAM value: '"', '\' and ']' escaped.
std::string sd_value(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string syslog_frames(const std::vector<audit::Record>& batch, const Origin& o, const ForwardSink& sink) {
  const int facility = std::max(0, syslog_facility(sink.facility));
  std::string out;
  for (const audit::Record& r : batch) {
    std::vector<json> events;
    if (sink.format == SinkFormat::Ocsf) events = ocsf_events(r, o);
    else events.push_back(flat_attributes(r, o));
    const int severity = denied(r) ? 4 : r.decision == "ask" ? 5 : 6;
    for (const json& e : events) {
      std::string msg = "<" + std::to_string(facility * 8 + severity) + ">1 " + header_field(r.ts, 32) + " " +
                        header_field(r.host.empty() ? o.host : r.host, 255) + " preloop-hook - " +
                        header_field(r.hook_event, 32) + " [preloop@32473 id=\"" + sd_value(event_id(e, r, o)) +
                        "\" seq=\"" + std::to_string(r.seq) + "\" hash=\"" + sd_value(r.hash) + "\" head_seq=\"" +
                        std::to_string(o.head_seq) + "\" head_hash=\"" + sd_value(o.head_hash) + "\"] \xEF\xBB\xBF" +
                        dump(e);
      out += std::to_string(msg.size());
      out += ' ';
      out += msg;
    }
  }
  return out;
}

}  // namespace preloop::forward
