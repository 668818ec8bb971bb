// Rewriting the audit trail as the agent could (same uid, sqlite3, cp, rm, an
// editor on the journal), then asking `audit verify` through the real binary what
// happened. Each case asserts the verdict that names the attack.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sqlite3.h>
#include <sstream>
#include <vector>

#include "audit/record.h"
#include "audit/rows.h"
#include "audit/schema.h"
#include "audit_harness.h"

namespace fs = std::filesystem;
using namespace preloop::audit_test;

namespace {

constexpr const char* kJournal = "profile: off\naudit: {busy_timeout_ms: 2000}\n";
constexpr const char* kDirect = "profile: off\naudit: {busy_timeout_ms: 2000, mode: direct}\n";

void calls(const Sandbox& sb, int from, int n) {
  for (int i = from; i < from + n; ++i)
    REQUIRE(sb.hook(sb.pre("toolu_" + std::to_string(i), {{"command", "echo " + std::to_string(i)}})).exit_code == 0);
}

// `audit verify` (which folds the journal first): the verdict text.
std::string verdict(const Sandbox& sb, int want_exit) {
  Run v = sb.audit({"verify"});
  INFO(v.out << v.err);
  CHECK(v.exit_code == want_exit);
  return v.out;
}

bool says(const std::string& out, const std::string& what) {
  INFO("verify said:\n" << out);
  CHECK_MESSAGE(out.find(what) != std::string::npos, "expected: " << what);
  return out.find(what) != std::string::npos;
}

class Db {
 public:
  explicit Db(const std::string& path) { REQUIRE(sqlite3_open(path.c_str(), &h_) == SQLITE_OK); }
  ~Db() { sqlite3_close(h_); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(h_, sql.c_str(), nullptr, nullptr, &err);
    INFO(sql << ": " << (err ? err : ""));
    sqlite3_free(err);
    REQUIRE(rc == SQLITE_OK);
  }
  std::vector<preloop::audit::Record> rows() {
    std::vector<preloop::audit::Record> out;
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(h_, (std::string("SELECT ") + preloop::audit::schema::kColumns + " FROM events ORDER BY seq").c_str(),
                               -1, &st, nullptr) == SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) out.push_back(preloop::audit::read_record(st));
    sqlite3_finalize(st);
    return out;
  }
  sqlite3* get() const { return h_; }

 private:
  sqlite3* h_ = nullptr;
};

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void write_lines(const std::string& path, const std::vector<std::string>& lines) {
  std::ofstream out(path, std::ios::trunc);
  for (const auto& l : lines) out << l << "\n";
}

void remove_store(const Sandbox& sb) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(sb.db() + suffix);
}

// Another connection holding the write lock: folds wait, readers still read.
class WriteLock {
 public:
  explicit WriteLock(const std::string& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
  ~WriteLock() { sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr); }

 private:
  Db db_;
};

}  // namespace

TEST_CASE("a healthy store verifies, with its head witnessed") {
  for (const char* config : {kJournal, kDirect}) {
    CAPTURE(config);
    Sandbox sb(config);
    calls(sb, 1, 5);
    std::string out = verdict(sb, 0);
    says(out, "chain verified");
    says(out, "head witness: seq 5");
  }
}

TEST_CASE("a row edited with sqlite3 and the chain re-hashed with plain SHA-256 is found") {
  Sandbox sb(kJournal);
  calls(sb, 1, 6);
  verdict(sb, 0);
  {
    Db db(sb.db());
    std::vector<preloop::audit::Record> rows = db.rows();
    REQUIRE(rows.size() == 6);
    db.exec("DROP TRIGGER events_append_only");
    // The attacker's rewrite: seq 3 now shows another command; every hash from
    // there on recomputed with SHA-256 as version 1 defined it, links intact.
    std::string prev = rows[1].hash;
    for (std::size_t i = 2; i < rows.size(); ++i) {
      auto& r = rows[i];
      if (i == 2) r.arguments = R"({"command":"echo harmless"})";
      r.prev_hash = prev;
      r.hash = preloop::audit::compute_hash(r, "");
      prev = r.hash;
      db.exec("UPDATE events SET arguments = '" + r.arguments + "', prev_hash = '" + r.prev_hash + "', hash = '" +
              r.hash + "' WHERE seq = " + std::to_string(r.seq));
    }
  }
  std::string out = verdict(sb, 1);
  says(out, "seq 3 edited (hash mismatch)");
  says(out, "first broken or missing seq: 3");
  CHECK(out.find("does not link") == std::string::npos);  // the links were rewritten consistently
}

TEST_CASE("the last rows deleted: the witness names the truncated tail") {
  for (const char* config : {kJournal, kDirect}) {
    CAPTURE(config);
    Sandbox sb(config);
    calls(sb, 1, 6);
    verdict(sb, 0);
    {
      Db db(sb.db());
      // The store refuses the delete itself; the attacker drops the guard first.
      CHECK(sqlite3_exec(db.get(), "DELETE FROM events WHERE seq > 4", nullptr, nullptr, nullptr) == SQLITE_CONSTRAINT);
      db.exec("DROP TRIGGER events_prune_only; DELETE FROM events WHERE seq > 4");
    }
    std::string out = verdict(sb, 1);
    says(out, "rows 5-6 missing from the end: the store was truncated");
    says(out, "first broken or missing seq: 5");
  }
}

TEST_CASE("the whole database deleted: the witness says rows existed; a new store is named a replacement") {
  Sandbox sb(kJournal);
  calls(sb, 1, 4);
  verdict(sb, 0);
  remove_store(sb);
  std::string out = verdict(sb, 1);
  says(out, "store deleted: " + sb.db() + " is gone; the witness saw 4 row(s)");

  calls(sb, 5, 2);  // the next fold makes a new, empty-history store
  out = verdict(sb, 1);
  says(out, "store replaced");
  says(out, "the witness saw 4 row(s)");
  // Writers keep a witness that names another store: the evidence stays.
  calls(sb, 7, 1);
  says(verdict(sb, 1), "store replaced");
}

TEST_CASE("the database replaced by an empty one: store replaced") {
  Sandbox sb(kDirect);
  calls(sb, 1, 3);
  verdict(sb, 0);
  remove_store(sb);
  Run prune = sb.audit({"prune", "--older-than", "2000-01-01T00:00:00Z"});  // opens (creates) a fresh store
  REQUIRE(prune.exit_code == 0);
  std::string out = verdict(sb, 1);
  says(out, "store replaced");
  says(out, ", empty; the witness saw 3 row(s)");
}

TEST_CASE("the database rolled back to an older copy: store older than its witness") {
  for (const char* config : {kJournal, kDirect}) {
    CAPTURE(config);
    Sandbox sb(config);
    calls(sb, 1, 4);
    verdict(sb, 0);
    const std::string copy = sb.dir() + "/copy.db";
    {
      Db db(sb.db());
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    fs::copy_file(sb.db(), copy);
    calls(sb, 5, 3);
    says(verdict(sb, 0), "head witness: seq 7");
    remove_store(sb);
    fs::copy_file(copy, sb.db());
    std::string out = verdict(sb, 1);
    says(out, "store older than its witness: it ends at seq 4, the witness saw 7 row(s)");
    says(out, "rolled back to an older copy");
    // Written on past the witnessed head: the witness stays where it was.
    calls(sb, 8, 4);
    out = verdict(sb, 1);
    says(out, "seq 7 differs from the witness: the chain was rewritten at or before it");
    says(out, "head witness: seq 7");
  }
}

TEST_CASE("a forged checkpoint is named") {
  Sandbox sb(kJournal);
  calls(sb, 1, 5);
  verdict(sb, 0);
  Run prune = sb.audit({"prune", "--older-than", "2999-01-01T00:00:00Z"});
  REQUIRE(prune.exit_code == 0);
  says(verdict(sb, 0), "chain verified");  // everything pruned: the checkpoint holds the head
  {
    Db db(sb.db());
    db.exec("UPDATE checkpoints SET seq_from = 3");  // "nothing before seq 3 ever existed"
  }
  std::string out = verdict(sb, 1);
  says(out, "checkpoint up to seq 5 forged (bad MAC)");
}

TEST_CASE("journal lines edited, cut or reordered: found waiting, and marked when folded") {
  struct Attack {
    const char* name;
    void (*apply)(std::vector<std::string>&);
    int line;  // where the chain breaks
  };
  const Attack attacks[] = {
      {"edited", [](std::vector<std::string>& l) { l[2].replace(l[2].find("echo 4"), 6, "echo 9"); }, 3},
      {"cut in the middle", [](std::vector<std::string>& l) { l.erase(l.begin() + 1); }, 2},
      {"cut at the start", [](std::vector<std::string>& l) { l.erase(l.begin()); }, 1},
      {"reordered", [](std::vector<std::string>& l) { std::swap(l[1], l[2]); }, 2},
      {"edited, its link removed as if written before keys",
       [](std::vector<std::string>& l) {
         l[2].replace(l[2].find("echo 4"), 6, "echo 9");
         l[2].erase(l[2].rfind(",\"jseq\":"));
         l[2] += "}";
       },
       3},
  };
  for (const Attack& a : attacks) {
    CAPTURE(a.name);
    Sandbox sb(kJournal);
    calls(sb, 1, 1);
    verdict(sb, 0);   // the store exists, with a keyed row
    calls(sb, 2, 5);  // five lines wait in the journal
    const std::string journal = sb.db() + ".spool.jsonl";
    std::vector<std::string> lines = lines_of(journal);
    REQUIRE(lines.size() == 5);
    a.apply(lines);
    write_lines(journal, lines);
    {
      WriteLock lock(sb.db());  // no fold: verify reads the journal as it waits
      says(verdict(sb, 1), "journal " + journal + " edited or cut at line " + std::to_string(a.line));
    }
    // The fold keeps the records and marks the one whose line broke the chain;
    // the mark is covered by the row's keyed hash.
    says(verdict(sb, 1), "journal edited or cut before seq " + std::to_string(1 + a.line) + " was folded in");
  }
}

TEST_CASE("an untouched journal folds and verifies") {
  Sandbox sb(kJournal);
  calls(sb, 1, 3);
  Run v = sb.audit({"verify"});
  CHECK(v.exit_code == 0);
  CHECK(v.out.find("chain verified") != std::string::npos);
}
