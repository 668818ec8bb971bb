#include "audit/gaps.h"

#include "audit/sql.h"

namespace preloop::audit {
namespace {

std::string col(sqlite3_stmt* st, int i) {
  const unsigned char* p = sqlite3_column_text(st, i);
  return p ? reinterpret_cast<const char*>(p) : "";
}

}  // namespace

Gaps coverage_gaps(const Store& store, const Filter& f, std::size_t max_examples) {
  std::string sql =
      "SELECT p.seq, p.timestamp, p.tool_use_id, p.tool, p.session_id, p.agent_type FROM events p "
      "WHERE p.hook_event IN ('PostToolUse', 'PostToolUseFailure') AND p.tool_use_id != '' "
      // q.tool_use_id != '' lets SQLite use the partial index on tool_use_id.
      "AND NOT EXISTS (SELECT 1 FROM events q WHERE q.tool_use_id = p.tool_use_id AND q.tool_use_id != '' "
      "AND q.hook_event = 'PreToolUse')";
  std::vector<std::string> params;
  if (!f.since.empty()) sql += " AND p.timestamp >= ?", params.push_back(f.since);
  if (!f.until.empty()) sql += " AND p.timestamp < ?", params.push_back(f.until);
  if (!f.session.empty()) sql += " AND p.session_id = ?", params.push_back(f.session);
  if (!f.tool.empty()) sql += " AND p.tool = ?", params.push_back(f.tool);
  sql += " ORDER BY p.seq";
  Stmt st(store.handle(), sql);
  for (std::size_t i = 0; i < params.size(); ++i)
    sqlite3_bind_text(st, int(i + 1), params[i].data(), int(params[i].size()), SQLITE_TRANSIENT);
  Gaps g;
  while (st.step()) {
    if (g.examples.size() < max_examples)
      g.examples.push_back({sqlite3_column_int64(st, 0), col(st, 1), col(st, 2), col(st, 3), col(st, 4), col(st, 5)});
    ++g.count;
  }
  return g;
}

std::string describe_gaps(const Gaps& g) {
  if (g.count == 0) return "";
  std::string out = std::to_string(g.count) + " tool call(s) ran without passing the PreToolUse hook (first: ";
  for (std::size_t i = 0; i < g.examples.size(); ++i) {
    const Gap& e = g.examples[i];
    out += (i ? "; " : "") + std::string("seq ") + std::to_string(e.seq) + " " + e.ts + " " + e.tool + " " +
           e.tool_use_id + (e.agent_type.empty() ? "" : " in subagent " + e.agent_type);
  }
  return out + ")";
}

}  // namespace preloop::audit
