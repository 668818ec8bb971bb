// Reading the store: filters, time arguments, one record, statistics.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "audit/record.h"
#include "audit/store.h"

struct sqlite3_stmt;

namespace preloop::audit {

// Tool names and rule ids match case-insensitively.
struct Filter {
  std::string since{}, until{};  // RFC 3339 UTC with ms (see parse_time); empty = unbounded
  std::string tool{};          // tool name
  std::string decision{};      // decision or approval status (see parse_decision_filter)
  std::string session{};       // Claude Code session id
  std::string rule{};          // rule id, rule file, file:line[:col] or layer
  std::int64_t after_seq = 0;
  std::int64_t limit = 0;    // 0 = all
  bool newest_first = false;
};

// "24h", "30m", "7d", "2w" (before now), or an RFC 3339 date-time / date, as a
// normalized UTC timestamp "YYYY-MM-DDTHH:MM:SS.mmmZ". Throws std::invalid_argument.
std::string parse_time(const std::string& text,
                       std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

// A --decision value: allow, ask, deny, none (also "pass": no decision) or an
// approval status (approved, declined, timed_out, unreachable, auth_error,
// not_configured, reused), in any case. Throws std::invalid_argument naming
// the accepted values.
std::string parse_decision_filter(const std::string& text);

// Runs "SELECT <columns> FROM events WHERE <filter>" and calls row for each result.
// `columns` defaults to store.columns() (read with read_record).
void select_rows(const Store& store, const Filter& f, const std::function<void(sqlite3_stmt*)>& row,
                 const std::string& columns = "");
std::int64_t count_rows(const Store& store, const Filter& f);
std::vector<Record> list(const Store& store, const Filter& f);

// A record by seq ("42") or tool_use_id, with the other events of the same tool call.
struct Shown {
  Record record;
  std::vector<Record> linked;  // same tool_use_id, other rows (e.g. the PostToolUse result)
};
std::optional<Shown> show(const Store& store, const std::string& seq_or_tool_use_id);

struct Stats {
  std::int64_t total = 0;
  std::vector<std::pair<std::string, std::int64_t>> by_decision, by_tool, by_rule, by_result;
};
Stats stats(const Store& store, const Filter& f);

}  // namespace preloop::audit
