#include "audit/timeline.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "audit/query.h"
#include "audit/rows.h"
#include "audit/sql.h"
#include "protocol/json_depth.h"

namespace preloop::audit {
namespace {

nlohmann::json args_of(const Record& r) {
  if (r.arguments.empty() || protocol::json_too_deep(r.arguments)) return nullptr;
  return nlohmann::json::parse(r.arguments, nullptr, false);
}

std::string text_at(const nlohmann::json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string one_line(std::string s, std::size_t max = 100) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (s.size() > max) s = s.substr(0, max - 3) + "...";
  return s;
}

// The call's input in a few words: the command or path, else the JSON.
std::string input_of(const Record& r) {
  const nlohmann::json j = args_of(r);
  for (const char* key : {"command", "file_path", "notebook_path", "path", "url", "pattern", "query"})
    if (std::string v = text_at(j, key); !v.empty()) return one_line(v);
  return one_line(r.arguments);
}

bool masked_secret(const Record& r) {
  return r.rule_id.rfind("secrets.", 0) == 0 || r.reason.find("masked a secret") != std::string::npos ||
         r.reason.rfind("secrets in the tool output were masked", 0) == 0;
}

std::vector<Record> rows_where(const Store& store, const std::string& where, const std::vector<std::string>& params) {
  Stmt st(store.handle(), std::string("SELECT ") + store.columns() + " FROM events WHERE " + where + " ORDER BY seq");
  for (std::size_t i = 0; i < params.size(); ++i)
    sqlite3_bind_text(st, int(i + 1), params[i].data(), int(params[i].size()), SQLITE_TRANSIENT);
  std::vector<Record> out;
  while (st.step()) out.push_back(read_record(st));
  return out;
}

}  // namespace

Step step_of(const Record& r) {
  const std::string& ev = r.hook_event;
  if (ev == "UserPromptSubmit") {
    const nlohmann::json j = args_of(r);
    std::string what = text_at(j, "prompt");
    if (what.empty() && j.is_object() && j.contains("prompt_hmac"))
      what = "(recorded as a keyed hash" +
             (j["prompt_hmac"].is_string() ? " " + j["prompt_hmac"].get<std::string>().substr(0, 12) : "") + ")";
    if (what.empty()) what = "(text not recorded)";
    std::string text = "prompt " + r.prompt_id + ": " + one_line(what, 160);
    if (!r.reason.empty()) text += " [" + r.reason + "]";
    return {"prompt", text, r.decision == "deny" ? "deny" : ""};
  }
  if (ev == kCommitEvent) {
    const nlohmann::json j = args_of(r);
    std::string ids;
    for (const CommitRef& c : commits_of(r)) ids += (ids.empty() ? "" : " ") + c.commit_id.substr(0, 12);
    return {"commit", "commit " + ids + " on " + (text_at(j, "branch").empty() ? "(detached)" : text_at(j, "branch")) +
                          " in " + text_at(j, "repository") + " (by " + r.tool_use_id + ")",
            ""};
  }
  if (ev == "PreToolUse" || ev == "PreSkillShellCommand") {
    std::string text = (ev == "PreSkillShellCommand" ? "skill shell " : "call ") + r.tool + " " + input_of(r) +
                       " -> " + r.decision;
    if (!r.rule_id.empty() || !r.rule_location.empty())
      text += " (" + (r.rule_id.empty() ? r.rule_location : r.rule_id) + ")";
    if (!r.approval_status.empty())
      text += "; approval " + r.approval_status + (r.approver.empty() ? "" : " by " + r.approver);
    if (masked_secret(r)) text += "; secret masked";
    return {masked_secret(r) ? "secret" : "call", text, r.decision};
  }
  if (ev == "PostToolUse" || ev == "PostToolUseFailure") {
    std::string text = "result " + r.tool + " " + r.execution_result;
    if (r.exec_duration_ms) text += fmt::format(" in {} ms", *r.exec_duration_ms);
    if (!r.exec_error.empty()) text += ": " + one_line(r.exec_error);
    if (masked_secret(r)) return {"secret", text + "; " + r.reason, r.execution_result};
    return {"result", text, r.execution_result};
  }
  if (ev == "SessionStart" || ev == "SessionEnd" || ev == "Stop" || ev == "SubagentStart" || ev == "SubagentStop") {
    const nlohmann::json j = args_of(r);
    std::string detail;
    for (const char* key : {"source", "reason", "model"})
      if (std::string v = text_at(j, key); !v.empty()) detail += (detail.empty() ? "" : ", ") + v;
    if (!r.agent_type.empty()) detail += (detail.empty() ? "" : ", ") + r.agent_type + " " + r.agent_id;
    return {"session", ev + (detail.empty() ? "" : " (" + detail + ")"), ""};
  }
  return {"config", ev + ": " + (r.reason.empty() ? one_line(r.arguments) : one_line(r.reason)), r.decision};
}

SessionSummary summarize(const std::string& session_id, const std::vector<Record>& rows) {
  SessionSummary s;
  s.session_id = session_id;
  for (const Record& r : rows) {
    if (s.first_ts.empty()) s.first_ts = r.ts;
    s.last_ts = r.ts;
    if (r.hook_event == "UserPromptSubmit") ++s.prompts;
    if (r.hook_event == "PreToolUse" || r.hook_event == "PreSkillShellCommand") {
      ++s.calls;
      s.denied += r.decision == "deny";
      s.asked += r.decision == "ask";
      s.approvals += !r.approval_status.empty() && r.approval_status != "not_configured";
    }
    if (masked_secret(r) || (r.hook_event == "UserPromptSubmit" && !r.reason.empty())) ++s.secrets;
    s.commits += std::int64_t(commits_of(r).size());
  }
  return s;
}

std::vector<Record> session_records(const Store& store, const std::string& session_id) {
  Filter f;
  f.session = session_id;
  return list(store, f);
}

std::string timeline_text(const std::vector<Record>& rows, bool colour) {
  std::string out;
  if (rows.empty()) return out;
  const SessionSummary s = summarize(rows.front().session_id, rows);
  out += fmt::format("session {}  {} .. {}\n", s.session_id, s.first_ts, s.last_ts);
  out += fmt::format("  {} prompt(s), {} call(s) ({} denied, {} asked), {} approval(s), {} secret(s) masked, "
                     "{} commit(s)\n\n",
                     s.prompts, s.calls, s.denied, s.asked, s.approvals, s.secrets, s.commits);
  for (const Record& r : rows) {
    const Step st = step_of(r);
    const char* on = "";
    if (colour) {
      if (st.verdict == "deny" || st.verdict == "error") on = "\033[31m";
      else if (st.verdict == "ask") on = "\033[33m";
      else if (st.kind == "commit" || st.kind == "prompt") on = "\033[36m";
    }
    // The time of day: the date is in the header.
    const std::string time = r.ts.size() > 11 ? r.ts.substr(11) : r.ts;
    out += fmt::format("{}{:>6} {} {:<8} {}{}\n", on, r.seq, time, st.kind, st.text, *on ? "\033[0m" : "");
  }
  return out;
}

std::vector<Blame> blame(const Store& store, const std::string& prefix) {
  std::vector<Blame> out;
  for (const CommitRef& c : find_commits(store, prefix)) {
    Blame b;
    b.commit = c;
    std::vector<Record> rec = rows_where(store, "seq = ?", {std::to_string(c.seq)});
    if (rec.empty()) continue;  // pruned
    b.commit_record = rec.front();
    const Record& cr = b.commit_record;
    // Only what the chained record says: the commits table is an index of it.
    bool named = false;
    for (const CommitRef& x : commits_of(cr)) named |= x.commit_id == c.commit_id;
    if (!named) continue;
    if (!cr.prompt_id.empty()) {
      for (Record& r : rows_where(store, "session_id = ? AND prompt_id = ?", {cr.session_id, cr.prompt_id})) {
        if (r.hook_event == "UserPromptSubmit") b.prompt.push_back(std::move(r));
        else if (r.tool_use_id != cr.tool_use_id && (r.hook_event == "PreToolUse" || r.hook_event == "PreSkillShellCommand"))
          b.prompt_calls.push_back(std::move(r));
      }
    }
    if (!cr.tool_use_id.empty())
      for (Record& r : rows_where(store, "tool_use_id = ? AND tool_use_id != ''", {cr.tool_use_id}))
        if (r.seq != cr.seq) b.call.push_back(std::move(r));
    out.push_back(std::move(b));
  }
  return out;
}

std::string blame_text(const std::vector<Blame>& bs) {
  std::string out;
  for (const Blame& b : bs) {
    const Record& cr = b.commit_record;
    out += fmt::format("commit {}\n", b.commit.commit_id);
    out += fmt::format("  repository  {}\n  branch      {}\n", b.commit.repository,
                       b.commit.branch.empty() ? "(detached)" : b.commit.branch);
    out += fmt::format("  recorded    seq {} at {}\n", cr.seq, cr.ts);
    out += fmt::format("  session     {}\n", cr.session_id);
    out += fmt::format("  user        {} on {}\n", cr.identity.empty() ? cr.os_user : cr.identity, cr.host);
    out += fmt::format("  prompt      {}\n", cr.prompt_id.empty() ? "(unknown)" : cr.prompt_id);
    for (const Record& p : b.prompt) out += fmt::format("    {:>6} {}\n", p.seq, step_of(p).text);
    out += fmt::format("  tool call   {}\n", cr.tool_use_id);
    for (const Record& r : b.call) out += fmt::format("    {:>6} {}\n", r.seq, step_of(r).text);
    if (!b.prompt_calls.empty()) {
      out += "  other calls of the prompt\n";
      for (const Record& r : b.prompt_calls) out += fmt::format("    {:>6} {}\n", r.seq, step_of(r).text);
    }
    out += "\n";
  }
  return out;
}

}  // namespace preloop::audit
