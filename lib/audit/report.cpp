#include "audit/report.h"

#include <fmt/format.h>

#include "protocol/json_depth.h"

namespace preloop::audit {
namespace {

const char* colour_of(const Record& r) {
  if (r.decision == "deny" || r.execution_result == "error") return "\033[31m";
  if (r.decision == "ask") return "\033[33m";
  if (r.decision == "allow" || r.execution_result == "success") return "\033[32m";
  return "";
}

// The input in one short line: the command or path when there is one, else the JSON.
std::string input_summary(const Record& r) {
  std::string s = r.arguments;
  auto j = protocol::json_too_deep(r.arguments) ? nlohmann::json() : nlohmann::json::parse(r.arguments, nullptr, false);
  if (j.is_object()) {
    for (const char* key : {"command", "file_path", "path", "url", "pattern", "prompt"})
      if (auto it = j.find(key); it != j.end() && it->is_string()) {
        s = it->get<std::string>();
        break;
      }
  }
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

void line(std::string& out, const char* name, const std::string& value) {
  if (!value.empty()) out += fmt::format("  {:<20} {}\n", name, value);
}

void fields(std::string& out, const Record& r) {
  out += fmt::format("seq {}  {}  {}\n", r.seq, r.ts, r.hook_event);
  line(out, "user", r.identity.empty() ? r.os_user : r.identity);
  line(out, "os user@host", r.os_user + "@" + r.host);
  line(out, "agent", r.agent + (r.agent_type.empty() ? "" : " (" + r.agent_type + " " + r.agent_id + ")"));
  line(out, "session", r.session_id);
  line(out, "tool_use_id", r.tool_use_id);
  line(out, "prompt", r.prompt_id);
  line(out, "agent version", r.agent_version);
  line(out, "cwd", r.cwd);
  line(out, "permission mode", r.permission_mode);
  line(out, "tool", r.tool);
  line(out, "arguments", r.arguments);
  line(out, "input hmac", r.input_hmac);
  line(out, "decision", r.decision);
  line(out, "reason", r.reason);
  if (!r.rule_location.empty() || !r.rule_id.empty())
    line(out, "rule", fmt::format("{} {} {}{}", r.rule_layer, r.rule_location, r.rule_id,
                                  r.rule_description.empty() ? "" : " — " + r.rule_description));
  line(out, "approval request", r.approval_request_id);
  line(out, "approval status", r.approval_status);
  line(out, "approver", r.approver);
  if (r.approval_wait_ms) line(out, "approval wait", fmt::format("{} ms", r.approval_wait_ms));
  line(out, "execution result", r.execution_result);
  if (r.exec_duration_ms) line(out, "duration", fmt::format("{} ms", *r.exec_duration_ms));
  if (r.output_size) line(out, "output size", fmt::format("{} bytes", *r.output_size));
  line(out, "error", r.exec_error);
  line(out, "failure", r.failure_class);
  line(out, "latency", fmt::format("{:.3f} ms", double(r.latency_us) / 1000));
  if (r.origin != "live") line(out, "origin", r.origin + " (kept in the spool while the store was unavailable)");
  line(out, "prev hash", r.prev_hash);
  line(out, "hash", r.hash);
}

void counts(std::string& out, const char* title, const std::vector<std::pair<std::string, std::int64_t>>& v) {
  out += fmt::format("{}:\n", title);
  if (v.empty()) out += "  (none)\n";
  for (const auto& [k, n] : v) out += fmt::format("  {:>8}  {}\n", n, k.empty() ? "(none)" : k);
}

// Observe mode's decisions, spelt out: "would_deny (would have denied)".
std::vector<std::pair<std::string, std::int64_t>> observed_labels(std::vector<std::pair<std::string, std::int64_t>> v) {
  static const std::pair<const char*, const char*> kWords[] = {
      {"would_deny", "would have denied"}, {"would_ask", "would have asked"},
      {"would_allow", "would have allowed"}, {"would_pass", "would have passed (no decision)"}};
  for (auto& [k, n] : v)
    for (const auto& [key, words] : kWords)
      if (k == key) k += std::string(" (") + words + ", observe mode)";
  return v;
}

}  // namespace

std::string summary_line(const Record& r, bool colour) {
  std::string outcome = r.decision.empty() ? r.execution_result : r.decision;
  if (!r.approval_status.empty()) outcome += "/" + r.approval_status;
  std::string rule = r.rule_id.empty() ? r.rule_location : r.rule_id;
  const char* c = colour ? colour_of(r) : "";
  return fmt::format("{:>6} {} {:<11} {:<12} {}{:<8}{} {:<20} {}", r.seq, r.ts, r.hook_event, r.tool, c, outcome,
                     *c ? "\033[0m" : "", rule, input_summary(r));
}

std::string describe(const Shown& s) {
  std::string out;
  fields(out, s.record);
  for (const Record& r : s.linked) {
    out += "\n";
    fields(out, r);
  }
  return out;
}

std::string stats_text(const Stats& s, const Filter& f) {
  std::string out = fmt::format("{} event(s) from {} until {}\n", s.total, f.since.empty() ? "the start" : f.since,
                                f.until.empty() ? "now" : f.until);
  counts(out, "by decision (PreToolUse)", observed_labels(s.by_decision));
  counts(out, "by tool", s.by_tool);
  counts(out, "by rule", s.by_rule);
  counts(out, "by execution result", s.by_result);
  return out;
}

std::string verify_text(const VerifyReport& v) {
  std::string out;
  if (v.rows)
    out += fmt::format("{} record(s), seq {}..{}, {} checkpoint(s); head {}\n", v.rows, v.first_seq, v.last_seq,
                       v.checkpoints, v.head_hash);
  else
    out += fmt::format("no records; {} checkpoint(s)\n", v.checkpoints);
  if (v.witness_seq >= 0) out += fmt::format("head witness: seq {}\n", v.witness_seq);
  for (const auto& p : v.problems) out += "problem: " + p + "\n";
  if (v.first_bad_seq) out += fmt::format("first broken or missing seq: {}\n", v.first_bad_seq);
  out += v.ok ? "chain verified\n" : "verification FAILED\n";
  return out;
}

}  // namespace preloop::audit
