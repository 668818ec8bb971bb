#include "audit/commits.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "audit/sql.h"

namespace preloop::audit {

std::vector<CommitRef> commits_of(const Record& r) {
  std::vector<CommitRef> out;
  if (r.hook_event != kCommitEvent) return out;
  nlohmann::json args = nlohmann::json::parse(r.arguments, nullptr, false);
  if (!args.is_object()) return out;
  auto text = [&](const char* key) {
    auto it = args.find(key);
    return it != args.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto ids = args.find("commits");
  if (ids == args.end() || !ids->is_array()) return out;
  for (const auto& id : *ids)
    if (id.is_string()) out.push_back({id.get<std::string>(), text("repository"), text("branch"), r.seq});
  return out;
}

void index_commits(sqlite3* db, const Record& r) {
  const std::vector<CommitRef> commits = commits_of(r);
  if (commits.empty()) return;
  Stmt st(db, "INSERT OR IGNORE INTO commits(seq, commit_id, repository, branch) VALUES(?,?,?,?)");
  for (const CommitRef& c : commits) {
    st.reset();
    sqlite3_bind_int64(st, 1, r.seq);
    sqlite3_bind_text(st, 2, c.commit_id.data(), int(c.commit_id.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 3, c.repository.data(), int(c.repository.size()), SQLITE_STATIC);
    sqlite3_bind_text(st, 4, c.branch.data(), int(c.branch.size()), SQLITE_STATIC);
    st.step();
  }
}

std::vector<CommitRef> find_commits(const Store& store, const std::string& prefix) {
  if (prefix.size() < 4 || prefix.size() > 64 || prefix.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)
    throw std::invalid_argument("'" + prefix + "' is not a commit id: give at least 4 hex digits of it");
  std::vector<CommitRef> out;
  if (store.schema_version() < 3) return out;
  std::string lower;
  for (char c : prefix) lower += char(c >= 'A' && c <= 'F' ? c - 'A' + 'a' : c);
  // A range on the primary key: the index finds the prefix without a scan.
  Stmt st(store.handle(),
          "SELECT commit_id, repository, branch, seq FROM commits WHERE commit_id >= ?1 AND commit_id < ?1 || 'g' "
          "ORDER BY seq");
  sqlite3_bind_text(st, 1, lower.data(), int(lower.size()), SQLITE_TRANSIENT);
  while (st.step()) {
    auto col = [&](int i) {
      const unsigned char* p = sqlite3_column_text(st, i);
      return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
    };
    out.push_back({col(0), col(1), col(2), sqlite3_column_int64(st, 3)});
  }
  return out;
}

}  // namespace preloop::audit
