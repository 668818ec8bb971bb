#include "audit/html_report.h"

#include <map>

#include <fmt/format.h>

#include "audit/gaps.h"
#include "audit/timeline.h"

namespace preloop::audit {
namespace {

constexpr const char* kStyle = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c9cfdb}
main{padding:8px 28px 40px}
section{background:#fff;border:1px solid #dde1e8;border-radius:6px;margin:18px 0;padding:14px 18px}
h2{font-size:17px;margin:0 0 10px}
h3{font-size:15px;margin:16px 0 6px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceef2;vertical-align:top}
th{background:#f0f2f5;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12.5px;word-break:break-all}
ol.timeline{list-style:none;margin:0;padding:0}
ol.timeline li{padding:3px 8px;border-left:4px solid #c9cfdb;margin:2px 0}
li.prompt{border-color:#2b7bd6!important;background:#eef5fd}
li.commit{border-color:#7a4cc2!important;background:#f4effb}
li.deny,li.error{border-color:#c62828!important;background:#fdeeee}
li.ask{border-color:#d98c00!important;background:#fff6e5}
li.secret{border-color:#b5006a!important}
.kind{display:inline-block;width:64px;font-weight:600;color:#4a5468}
.ok{color:#1b7f3b;font-weight:600}.bad{color:#c62828;font-weight:600}
.muted{color:#6b7385}
)css";

std::string esc(std::string_view s) { return html_escape(s); }

std::string row(std::initializer_list<std::string> cells, const char* numeric = "") {
  std::string out = "<tr>";
  std::size_t i = 0;
  for (const std::string& c : cells) {
    const bool num = std::string_view(numeric).find(char('0' + i)) != std::string_view::npos;
    out += num ? "<td class=\"num\">" : "<td>";
    out += c;
    out += "</td>";
    ++i;
  }
  return out + "</tr>\n";
}

std::string anchor(std::size_t index) { return "session-" + std::to_string(index + 1); }

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string html_report(const Store& store, const Filter& f, const VerifyReport& chain, const std::string& generated_at) {
  // Sessions in the order they first appear, each with its records.
  std::vector<std::string> order;
  std::map<std::string, std::vector<Record>> sessions;
  std::vector<Record> approvals;
  for (Record& r : list(store, f)) {
    if (!r.approval_status.empty()) approvals.push_back(r);
    auto [it, fresh] = sessions.try_emplace(r.session_id);
    if (fresh) order.push_back(r.session_id);
    it->second.push_back(std::move(r));
  }
  const Stats stats = audit::stats(store, f);
  const Gaps gaps = coverage_gaps(store, f, 50);

  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
       "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
       "<title>preloop-hook audit report</title>\n<style>";
  h += kStyle;
  h += "</style>\n</head>\n<body>\n<header><h1>preloop-hook audit report</h1>\n";
  h += fmt::format("<p>{} &middot; generated {}{}{}</p></header>\n<main>\n", esc(store.path().string()),
                   esc(generated_at), f.since.empty() ? "" : " &middot; since " + esc(f.since),
                   f.until.empty() ? "" : " &middot; until " + esc(f.until));

  h += "<section id=\"chain\"><h2>Audit chain</h2>\n";
  if (chain.ok)
    h += fmt::format("<p class=\"ok\">verified: {} record(s), seq {}..{}, head <code>{}</code></p>\n", chain.rows,
                     chain.first_seq, chain.last_seq, esc(chain.head_hash));
  else {
    h += "<p class=\"bad\">the chain does not verify:</p><ul>\n";
    for (const auto& p : chain.problems) h += "<li>" + esc(p) + "</li>\n";
    h += "</ul>\n";
  }
  h += "</section>\n";

  h += "<section id=\"sessions\"><h2>Sessions</h2>\n<table><tr><th>session</th><th>from</th><th>to</th>"
       "<th>prompts</th><th>calls</th><th>denied</th><th>asked</th><th>approvals</th><th>secrets masked</th>"
       "<th>commits</th></tr>\n";
  for (std::size_t i = 0; i < order.size(); ++i) {
    const SessionSummary s = summarize(order[i], sessions[order[i]]);
    h += row({"<a href=\"#" + anchor(i) + "\"><code>" + esc(s.session_id.empty() ? "(none)" : s.session_id) +
                  "</code></a>",
              esc(s.first_ts), esc(s.last_ts), std::to_string(s.prompts), std::to_string(s.calls),
              std::to_string(s.denied), std::to_string(s.asked), std::to_string(s.approvals),
              std::to_string(s.secrets), std::to_string(s.commits)},
             "3456789");
  }
  if (order.empty()) h += "<tr><td colspan=\"10\" class=\"muted\">no records</td></tr>\n";
  h += "</table></section>\n";

  h += "<section id=\"timeline\"><h2>Timeline</h2>\n";
  for (std::size_t i = 0; i < order.size(); ++i) {
    h += fmt::format("<h3 id=\"{}\">session <code>{}</code></h3>\n<ol class=\"timeline\">\n", anchor(i),
                     esc(order[i].empty() ? "(none)" : order[i]));
    for (const Record& r : sessions[order[i]]) {
      const Step st = step_of(r);
      std::string cls = st.kind;
      if (st.verdict == "deny" || st.verdict == "ask" || st.verdict == "error") cls += " " + st.verdict;
      h += fmt::format("<li class=\"{}\"><span class=\"muted mono\">{} #{}</span> <span class=\"kind\">{}</span> "
                       "<span class=\"mono\">{}</span></li>\n",
                       cls, esc(r.ts), r.seq, esc(st.kind), esc(st.text));
    }
    h += "</ol>\n";
  }
  h += "</section>\n";

  h += "<section id=\"decisions\"><h2>Decisions by rule</h2>\n<table><tr><th>decision</th><th>calls</th></tr>\n";
  for (const auto& [d, n] : stats.by_decision) h += row({esc(d.empty() ? "(none)" : d), std::to_string(n)}, "1");
  h += "</table>\n<h3>rules that decided</h3>\n<table><tr><th>rule</th><th>calls</th></tr>\n";
  for (const auto& [rule, n] : stats.by_rule) h += row({"<code>" + esc(rule) + "</code>", std::to_string(n)}, "1");
  if (stats.by_rule.empty()) h += "<tr><td colspan=\"2\" class=\"muted\">no rule matched</td></tr>\n";
  h += "</table></section>\n";

  h += "<section id=\"approvals\"><h2>Approvals</h2>\n<table><tr><th>time</th><th>session</th><th>tool</th>"
       "<th>status</th><th>approver</th><th>wait</th></tr>\n";
  for (const Record& r : approvals)
    h += row({esc(r.ts), "<code>" + esc(r.session_id) + "</code>", esc(r.tool), esc(r.approval_status),
              esc(r.approver), fmt::format("{} ms", r.approval_wait_ms)},
             "5");
  if (approvals.empty()) h += "<tr><td colspan=\"6\" class=\"muted\">no approval was requested</td></tr>\n";
  h += "</table></section>\n";

  h += "<section id=\"commits\"><h2>Commits</h2>\n<table><tr><th>commit</th><th>repository</th><th>branch</th>"
       "<th>session</th><th>prompt</th><th>tool call</th></tr>\n";
  std::size_t commits = 0;
  for (const std::string& sid : order)
    for (const Record& r : sessions[sid])
      for (const CommitRef& c : commits_of(r)) {
        ++commits;
        h += row({"<code>" + esc(c.commit_id) + "</code>", esc(c.repository), esc(c.branch),
                  "<code>" + esc(r.session_id) + "</code>", "<code>" + esc(r.prompt_id) + "</code>",
                  "<code>" + esc(r.tool_use_id) + "</code>"});
      }
  if (commits == 0) h += "<tr><td colspan=\"6\" class=\"muted\">no commit was recorded</td></tr>\n";
  h += "</table></section>\n";

  h += "<section id=\"gaps\"><h2>Coverage gaps</h2>\n";
  if (gaps.count == 0) {
    h += "<p class=\"ok\">none: every recorded tool result passed the PreToolUse gate</p>\n";
  } else {
    h += fmt::format("<p class=\"bad\">{} tool call(s) ran without passing PreToolUse</p>\n<table><tr><th>seq</th>"
                     "<th>time</th><th>tool</th><th>tool_use_id</th><th>session</th></tr>\n",
                     gaps.count);
    for (const Gap& g : gaps.examples)
      h += row({std::to_string(g.seq), esc(g.ts), esc(g.tool), "<code>" + esc(g.tool_use_id) + "</code>",
                "<code>" + esc(g.session_id) + "</code>"},
               "0");
    h += "</table>\n";
  }
  h += "</section>\n</main>\n</body>\n</html>\n";
  return h;
}

}  // namespace preloop::audit
