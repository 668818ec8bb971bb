// The write path's cost must not grow with the history: no statement that an
// append or a fold runs may scan the events table, and a hook's write never
// folds the journal itself.
#include <doctest/doctest.h>

#include <filesystem>
#include <sqlite3.h>
#include <string>
#include <vector>

#include "audit/location.h"
#include "audit/spool.h"
#include "audit/sql.h"
#include "audit/store.h"
#include "audit/writer.h"

namespace fs = std::filesystem;
using namespace preloop::audit;

namespace {

constexpr int kHistory = 20000;

struct TempStore {
  fs::path dir, db;
  TempStore() {
    std::string t = (fs::temp_directory_path() / "audit-scale-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    dir = t;
    db = dir / "audit.db";
  }
  ~TempStore() { fs::remove_all(dir); }
};

// A history of kHistory rows as journal folds leave them (each with a spool id).
void fill_history(Store& store) {
  std::string sql =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < " + std::to_string(kHistory) +
      ") INSERT INTO events(seq, timestamp, hook_event, tool_use_id, spool_id, prev_hash, hash) "
      "SELECT x, '2026-01-01T00:00:00Z', 'PreToolUse', 'toolu_' || x, printf('%032x', x), 'p', 'h' FROM c";
  REQUIRE(sqlite3_exec(store.handle(), sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
}

std::int64_t count_rows(Store& store) {
  Stmt st(store.handle(), "SELECT count(*) FROM events");
  st.step();
  return sqlite3_column_int64(st, 0);
}

Record sample(int i) {
  Record r;
  r.ts = now_rfc3339();
  r.hook_event = "PreToolUse";
  r.session_id = "s";
  r.tool_use_id = "toolu_new_" + std::to_string(i);
  r.tool = "Bash";
  r.arguments = R"({"command":"npm test"})";
  r.decision = "allow";
  return r;
}

// The largest number of full-scan steps any finished statement took.
struct ScanWatch {
  std::int64_t worst = 0;
  std::string worst_sql;
  explicit ScanWatch(sqlite3* db) {
    sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE,
                     [](unsigned, void* self, void* stmt, void*) {
                       auto* w = static_cast<ScanWatch*>(self);
                       auto* st = static_cast<sqlite3_stmt*>(stmt);
                       std::int64_t n = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
                       if (n > w->worst) {
                         w->worst = n;
                         w->worst_sql = sqlite3_sql(st);
                       }
                       return 0;
                     },
                     this);
  }
};

}  // namespace

TEST_CASE("folding the journal onto a long history scans no table") {
  TempStore t;
  Store store = Store::open(t.db);
  fill_history(store);
  for (int i = 0; i < 50; ++i) {
    Record r = sample(i);
    spool_append(spool_path(t.db), r, Sync::None);
  }
  ScanWatch watch(store.handle());
  CHECK(store.fold_spool() == 50);
  INFO("worst statement: " << watch.worst_sql);
  CHECK(watch.worst < kHistory / 100);  // a scan would step through every row
  CHECK(count_rows(store) == kHistory + 50);
}

TEST_CASE("a direct append onto a long history scans no table") {
  TempStore t;
  Store store = Store::open(t.db);
  fill_history(store);
  ScanWatch watch(store.handle());
  Record r = sample(0);
  store.append(r);
  INFO("worst statement: " << watch.worst_sql);
  CHECK(watch.worst < kHistory / 100);
  CHECK(r.seq == kHistory + 1);
}

TEST_CASE("a journal write past the fold size asks for a fold instead of folding") {
  TempStore t;
  { Store::open(t.db); }
  Record big = sample(0);
  big.arguments = R"({"command":")" + std::string(70 * 1024, 'x') + R"("})";
  WriteResult res = write_record(t.db, big, {.mode = WriteMode::Journal});
  CHECK(res.outcome == Outcome::Journaled);
  CHECK(res.fold_due);
  Store store = Store::open(t.db);
  CHECK(count_rows(store) == 0);  // the record waits in the journal for the fold
  CHECK(spool_status(spool_path(t.db)).pending == 1);

  Record small = sample(1);
  WriteResult second = write_record(t.db, small, {.mode = WriteMode::Journal});
  CHECK(second.fold_due);  // still past the size until a fold runs
  CHECK(fold_pending(t.db, 1000).added == 2);
  Record third = sample(2);
  CHECK_FALSE(write_record(t.db, third, {.mode = WriteMode::Journal}).fold_due);
}

TEST_CASE("direct mode queues behind waiting journal records, in answer order") {
  TempStore t;
  { Store::open(t.db); }
  Record waiting = sample(0);
  spool_append(spool_path(t.db), waiting, Sync::None);  // left by an earlier failure
  Record next = sample(1);
  WriteResult res = write_record(t.db, next, {.mode = WriteMode::Direct});
  CHECK(res.outcome == Outcome::Journaled);
  CHECK(res.fold_due);
  CHECK(fold_pending(t.db, 1000).added == 2);
  Store store = Store::open(t.db);
  Stmt st(store.handle(), "SELECT tool_use_id FROM events ORDER BY seq");
  std::vector<std::string> order;
  while (st.step()) order.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  CHECK(order == std::vector<std::string>{"toolu_new_0", "toolu_new_1"});
  Record after = sample(2);
  CHECK(write_record(t.db, after, {.mode = WriteMode::Direct}).outcome == Outcome::Stored);
}

TEST_CASE("one background fold is claimed per second") {
  TempStore t;
  CHECK(claim_background_fold(t.db));
  CHECK_FALSE(claim_background_fold(t.db));
}
