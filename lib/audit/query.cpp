#include "audit/query.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "audit/rows.h"
#include "audit/schema.h"
#include "audit/sql.h"

namespace preloop::audit {
namespace {

// The WHERE clause and its parameters for a filter.
struct Where {
  std::string sql;
  std::vector<std::string> params;
  void add(const std::string& clause, std::initializer_list<std::string> ps) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += clause;
    params.insert(params.end(), ps);
  }
};

Where where_of(const Filter& f) {
  Where w;
  if (!f.since.empty()) w.add("timestamp >= ?", {f.since});
  if (!f.until.empty()) w.add("timestamp < ?", {f.until});
  if (!f.tool.empty()) w.add("tool = ? COLLATE NOCASE", {f.tool});
  if (!f.decision.empty()) w.add("(decision = ? OR approval_status = ?)", {f.decision, f.decision});
  if (!f.session.empty()) w.add("session_id = ?", {f.session});
  if (!f.rule.empty())
    w.add("(rule_id = ? COLLATE NOCASE OR rule_layer = ? COLLATE NOCASE OR rule_location = ? OR rule_location LIKE ? ESCAPE '\\')",
          {f.rule, f.rule, f.rule, [&] {
             std::string p;
             for (char c : f.rule) {
               if (c == '%' || c == '_' || c == '\\') p.push_back('\\');
               p.push_back(c);
             }
             return p + ":%";
           }()});
  if (f.after_seq > 0) w.add("seq > ?", {std::to_string(f.after_seq)});
  return w;
}

void bind_all(Stmt& st, const Where& w) {
  for (std::size_t i = 0; i < w.params.size(); ++i)
    sqlite3_bind_text(st, int(i + 1), w.params[i].data(), int(w.params[i].size()), SQLITE_TRANSIENT);
}

std::vector<std::pair<std::string, std::int64_t>> group(const Store& s, const Filter& f, const char* column,
                                                        const char* extra) {
  Where w = where_of(f);
  std::string sql = std::string("SELECT ") + column + ", count(*) FROM events" + w.sql +
                    (w.sql.empty() ? " WHERE " : " AND ") + extra + " GROUP BY 1 ORDER BY 2 DESC, 1";
  Stmt st(s.handle(), sql);
  bind_all(st, w);
  std::vector<std::pair<std::string, std::int64_t>> out;
  while (st.step()) {
    const unsigned char* k = sqlite3_column_text(st, 0);
    out.emplace_back(k ? reinterpret_cast<const char*>(k) : "", sqlite3_column_int64(st, 1));
  }
  return out;
}

}  // namespace

std::string parse_decision_filter(const std::string& text) {
  static constexpr const char* kAccepted[] = {"allow",       "ask",         "deny",           "none",
                                              "approved",    "declined",    "timed_out",      "unreachable",
                                              "auth_error",  "not_configured", "reused",
                                              "would_allow", "would_ask", "would_deny",
                                              "would_pass"};
  std::string v;
  for (char c : text) v += char(std::tolower(static_cast<unsigned char>(c)));
  if (v == "pass") return "none";
  for (const char* a : kAccepted)
    if (v == a) return v;
  std::string list;
  for (const char* a : kAccepted) list += std::string(list.empty() ? "" : ", ") + a;
  throw std::invalid_argument("unknown --decision '" + text + "': use " + list + " (pass means none: no decision)");
}

std::string parse_time(const std::string& text, std::chrono::system_clock::time_point now) {
  auto bad = [&] {
    return std::invalid_argument("'" + text +
                                 "' is not a time: use RFC 3339 (2026-01-27T10:23:45Z, 2026-01-27) or a duration "
                                 "before now (30m, 24h, 7d, 2w)");
  };
  if (text.empty()) throw bad();
  std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  // Relative: digits then one unit.
  if (std::isdigit(static_cast<unsigned char>(text[0])) && text.size() <= 12 &&
      text.find_first_not_of("0123456789") == text.size() - 1) {
    std::int64_t n = std::stoll(text.substr(0, text.size() - 1));
    std::int64_t unit = 0;
    switch (text.back()) {
      case 's': unit = 1000; break;
      case 'm': unit = 60'000; break;
      case 'h': unit = 3'600'000; break;
      case 'd': unit = 86'400'000; break;
      case 'w': unit = 7 * 86'400'000LL; break;
      default: throw bad();
    }
    return format_rfc3339(now_ms - n * unit);
  }
  int Y, M, D, h = 0, m = 0, s = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &Y, &M, &D, &consumed) != 3 || consumed != 10) throw bad();
  std::size_t pos = 10;
  int ms = 0;
  std::int64_t offset_s = 0;
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ') throw bad();
    if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d:%2d%n", &h, &m, &s, &consumed) != 3 || consumed != 8) throw bad();
    pos += 9;
    if (pos < text.size() && text[pos] == '.') {
      std::size_t digits = 0;
      int scale = 100;
      for (++pos; pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos])); ++pos, ++digits) {
        ms += (text[pos] - '0') * scale;
        scale /= 10;
      }
      if (digits == 0) throw bad();
    }
    if (pos == text.size()) throw bad();  // RFC 3339 needs Z or an offset
    if (text[pos] == 'Z' || text[pos] == 'z') {
      ++pos;
    } else if (text[pos] == '+' || text[pos] == '-') {
      int oh, om;
      if (std::sscanf(text.c_str() + pos + 1, "%2d:%2d%n", &oh, &om, &consumed) != 2 || consumed != 5 || oh > 23 ||
          om > 59 || oh < 0 || om < 0)
        throw bad();
      offset_s = (text[pos] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
      pos += 6;
    }
    if (pos != text.size()) throw bad();
  }
  // A calendar date that exists (no 2026-02-31, 2025-02-29) and a time of day.
  const std::chrono::year_month_day date{std::chrono::year{Y}, std::chrono::month{unsigned(M)},
                                         std::chrono::day{unsigned(D)}};
  if (!date.ok() || h > 23 || m > 59 || s > 60) throw bad();
  const std::int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  std::int64_t epoch = days * 86400 + h * 3600 + m * 60 + s - offset_s;
  return format_rfc3339(epoch * 1000 + ms);
}

void select_rows(const Store& store, const Filter& f, const std::function<void(sqlite3_stmt*)>& row,
                 const std::string& columns) {
  Where w = where_of(f);
  std::string sql = "SELECT " + (columns.empty() ? std::string(store.columns()) : columns) + " FROM events" + w.sql +
                    (f.newest_first ? " ORDER BY seq DESC" : " ORDER BY seq");
  if (f.limit > 0) sql += " LIMIT " + std::to_string(f.limit);
  Stmt st(store.handle(), sql);
  bind_all(st, w);
  while (st.step()) row(st);
}

std::int64_t count_rows(const Store& store, const Filter& f) {
  Where w = where_of(f);
  Stmt st(store.handle(), "SELECT count(*) FROM events" + w.sql);
  bind_all(st, w);
  st.step();
  return sqlite3_column_int64(st, 0);
}

std::vector<Record> list(const Store& store, const Filter& f) {
  std::vector<Record> out;
  select_rows(store, f, [&](sqlite3_stmt* st) { out.push_back(read_record(st)); });
  return out;
}

std::optional<Shown> show(const Store& store, const std::string& key) {
  bool numeric = !key.empty() && key.size() < 19 && key.find_first_not_of("0123456789") == std::string::npos;
  Stmt st(store.handle(), std::string("SELECT ") + store.columns() + " FROM events WHERE " +
                              (numeric ? "seq = ?" : "tool_use_id = ? ORDER BY seq LIMIT 1"));
  if (numeric)
    sqlite3_bind_int64(st, 1, std::stoll(key));
  else
    sqlite3_bind_text(st, 1, key.data(), int(key.size()), SQLITE_TRANSIENT);
  if (!st.step()) return std::nullopt;
  Shown out{read_record(st), {}};
  if (!out.record.tool_use_id.empty()) {
    Stmt linked(store.handle(),
                std::string("SELECT ") + store.columns() + " FROM events WHERE tool_use_id = ? AND seq != ? ORDER BY seq");
    sqlite3_bind_text(linked, 1, out.record.tool_use_id.data(), int(out.record.tool_use_id.size()), SQLITE_TRANSIENT);
    sqlite3_bind_int64(linked, 2, out.record.seq);
    while (linked.step()) out.linked.push_back(read_record(linked));
  }
  return out;
}

Stats stats(const Store& store, const Filter& f) {
  Stats s;
  s.total = count_rows(store, f);
  s.by_decision = group(store, f, "decision", "hook_event IN ('PreToolUse', 'PreSkillShellCommand')");
  s.by_tool = group(store, f, "tool", "1");
  s.by_rule = group(store, f, "CASE WHEN rule_id != '' THEN rule_id ELSE rule_location END",
                    "hook_event IN ('PreToolUse', 'PreSkillShellCommand') AND rule_location != ''");
  s.by_result = group(store, f, "execution_result", "execution_result != ''");
  return s;
}

}  // namespace preloop::audit
