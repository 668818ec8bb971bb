#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sqlite3.h>
#include <sys/stat.h>
#include <pwd.h>
#include <thread>
#include <unistd.h>

#include "audit/commits.h"
#include "audit/export.h"
#include "audit/html_report.h"
#include "audit/timeline.h"
#include "audit/identity.h"
#include "audit/key.h"
#include "audit/location.h"
#include "audit/query.h"
#include "audit/report.h"
#include "audit/rows.h"
#include "audit/schema.h"
#include "audit/spool.h"
#include "audit/sql.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "audit/witness.h"
#include "audit/writer.h"

namespace fs = std::filesystem;
using namespace preloop::audit;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "audit-test-XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() { fs::remove_all(path); }
};

// Cuts the database file short and drops its WAL: SQLite sees a corrupt file.
void corrupt(const fs::path& db) {
  fs::resize_file(db, 100);
  fs::remove(fs::path(db).concat("-wal"));
  fs::remove(fs::path(db).concat("-shm"));
}

Record sample(const std::string& tool = "Bash", const std::string& ts = "") {
  Record r;
  r.ts = ts.empty() ? now_rfc3339() : ts;
  r.hook_event = "PreToolUse";
  r.session_id = "s1";
  r.tool_use_id = "toolu_" + std::to_string(::rand());
  r.tool = tool;
  r.arguments = R"({"command":"ls -la"})";
  r.decision = "allow";
  return r;
}

void raw_exec(const fs::path& db, const std::string& sql) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(h, sql.c_str(), nullptr, nullptr, &err);
  INFO(sql << ": " << (err ? err : ""));
  sqlite3_free(err);
  sqlite3_close(h);
  REQUIRE(rc == SQLITE_OK);
}

}  // namespace

TEST_CASE("a new store gets the schema, WAL, owner-only files and a verifiable chain") {
  TempDir t;
  fs::path db = t.path / "sub" / "audit.db";
  {
    Store s = Store::open(db);
    for (int i = 0; i < 5; ++i) {
      Record r = sample();
      CHECK(s.append(r) == i + 1);
      CHECK(r.hash.size() == 64);
    }
  }
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int(st, 0) == schema::kLatest);
  sqlite3_finalize(st);
  sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, nullptr);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 0))) == "wal");
  sqlite3_finalize(st);
  sqlite3_close(h);
  struct stat sb{};
  REQUIRE(::stat(db.c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  REQUIRE(::stat(db.parent_path().c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0700);

  VerifyReport v = verify(db);
  CHECK(v.ok);
  CHECK(v.rows == 5);
  CHECK(v.last_seq == 5);
  ChainHead head = chain_head(db);
  CHECK(head.seq == 5);
  CHECK(head.hash == v.head_hash);
}

TEST_CASE("records cannot be updated in place") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  {
    Store s = Store::open(db);
    Record r = sample();
    s.append(r);
  }
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  CHECK(sqlite3_exec(h, "UPDATE events SET decision='deny'", nullptr, nullptr, nullptr) == SQLITE_CONSTRAINT);
  sqlite3_close(h);
}

TEST_CASE("verify finds an edited row, a missing row and a forged tail") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  {
    Store s = Store::open(db);
    for (int i = 0; i < 10; ++i) {
      Record r = sample();
      s.append(r);
    }
  }
  SUBCASE("edited") {
    raw_exec(db, "DROP TRIGGER events_append_only; UPDATE events SET decision='deny' WHERE seq=4");
    VerifyReport v = verify(db);
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 4);
  }
  SUBCASE("missing") {
    raw_exec(db, "DROP TRIGGER events_prune_only; DELETE FROM events WHERE seq IN (6,7)");
    VerifyReport v = verify(db);
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 6);
    REQUIRE_FALSE(v.problems.empty());
    CHECK(v.problems[0].find("seq 6-7 missing") != std::string::npos);
  }
  SUBCASE("rehashed without the predecessor link") {
    raw_exec(db, "DROP TRIGGER events_append_only; UPDATE events SET prev_hash='" + std::string(64, 'a') +
                     "' WHERE seq=9");
    VerifyReport v = verify(db);
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 9);
  }
}

TEST_CASE("a store with a newer schema is refused, not written") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  { Store s = Store::open(db); }
  raw_exec(db, "PRAGMA user_version=99");
  try {
    Store::open(db);
    FAIL("opened");
  } catch (const StoreError& e) {
    CHECK(e.failure == Failure::Newer);
  }
}

TEST_CASE("prune keeps the chain verifiable through a MAC'd checkpoint") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  {
    Store s = Store::open(db);
    for (int i = 0; i < 6; ++i) {
      Record r = sample("Bash", "2020-01-0" + std::to_string(i + 1) + "T00:00:00.000Z");
      s.append(r);
    }
    for (int i = 0; i < 4; ++i) {
      Record r = sample();
      s.append(r);
    }
    CHECK(s.prune_before("2021-01-01T00:00:00.000Z") == 6);
    CHECK(s.prune_before("2021-01-01T00:00:00.000Z") == 0);
    Record r = sample();
    CHECK(s.append(r) == 11);
  }
  VerifyReport v = verify(db);
  CHECK(v.ok);
  CHECK(v.first_seq == 7);
  CHECK(v.checkpoints == 1);
  SUBCASE("an edited checkpoint is found") {
    raw_exec(db, "UPDATE checkpoints SET seq_from = 2");
    VerifyReport bad = verify(db);
    CHECK_FALSE(bad.ok);
  }
  SUBCASE("rows removed after the checkpoint are found") {
    raw_exec(db, "DROP TRIGGER events_prune_only; DELETE FROM events WHERE seq = 7");
    VerifyReport bad = verify(db);
    CHECK_FALSE(bad.ok);
    CHECK(bad.first_bad_seq == 7);
  }
  SUBCASE("pruning everything leaves the head in the checkpoint") {
    {
      Store s = Store::open(db);
      CHECK(s.prune_before("2999-01-01T00:00:00.000Z") == 5);
    }
    CHECK(chain_head(db).seq == 11);
    CHECK(verify(db).ok);
    Store s = Store::open(db);
    Record r = sample();
    CHECK(s.append(r) == 12);
    CHECK(verify(db).ok);
  }
}

TEST_CASE("input_hash: keyed, canonical, stable; the key is owner-only") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  std::string key = install_key(db);
  CHECK(key.size() == 32);
  struct stat sb{};
  REQUIRE(::stat(key_path(db).c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);
  auto a = nlohmann::json::parse(R"({"command":"ls","description":"x"})");
  auto b = nlohmann::json::parse(R"({"description":"x","command":"ls"})");
  CHECK(input_hash_with_key(key, a) == input_hash_with_key(key, b));
  CHECK(input_hash_with_key(key, a) != input_hash_with_key(std::string(32, 'k'), a));
  CHECK(input_hash_with_key(key, a) != input_hash_with_key(key, nlohmann::json::parse(R"({"command":"ls "})")));
  setenv("PRELOOP_HOOK_AUDIT_DB", db.c_str(), 1);
  CHECK(input_hash(a) == input_hash_with_key(key, a));
  unsetenv("PRELOOP_HOOK_AUDIT_DB");
}

TEST_CASE("spooled records are folded in on the next write, once, in order") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  { Store s = Store::open(db); Record r = sample(); s.append(r); }
  Record a = sample("Read"), b = sample("Write");
  spool_append(spool_path(db), a, Sync::Data, install_key(db));
  spool_append(spool_path(db), b, Sync::None, install_key(db));
  CHECK(verify(db).spooled == 2);
  CHECK_FALSE(verify(db).ok);
  Store s = Store::open(db);
  Record c = sample("Edit");
  CHECK(s.append(c) == 4);
  CHECK_FALSE(fs::exists(spool_path(db)));
  VerifyReport v = verify(db);
  CHECK(v.ok);
  CHECK(v.rows == 4);
  CHECK(v.spooled == 0);
  SUBCASE("a batch left behind by a crash after commit is not folded twice") {
    std::ofstream(fs::path(spool_path(db)).concat(".folding"))
        << to_json(a).dump() << "\n" << "not json\n";
    CHECK(s.fold_spool() == 0);
    CHECK(verify(db).rows == 4);
    CHECK(verify(db).rejected == 1);
  }
}

constexpr WriteOptions kDirect{.mode = WriteMode::Direct, .busy_timeout_ms = 100};

TEST_CASE("write_record falls back to the spool when the store is locked, corrupt or full") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  { Store s = Store::open(db); Record r = sample(); s.append(r); }

  SUBCASE("locked past the deadline") {
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    REQUIRE(sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    Record r = sample();
    auto started = std::chrono::steady_clock::now();
    WriteResult w = write_record(db, r, kDirect);
    auto took = std::chrono::steady_clock::now() - started;
    CHECK(w.outcome == Outcome::Spooled);
    CHECK(w.failure_class == "locked");
    CHECK(took < std::chrono::milliseconds(1000));
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    Record next = sample();
    WriteResult w2 = write_record(db, next, kDirect);
    CHECK(w2.outcome == Outcome::Journaled);  // behind the waiting record, for the fold to take
    CHECK(w2.fold_due);
    CHECK(fold_pending(db, 100).added == 2);
    VerifyReport v = verify(db);
    CHECK(v.ok);
    CHECK(v.rows == 3);
    Record last = sample();
    WriteResult w3 = write_record(db, last, kDirect);
    CHECK(w3.outcome == Outcome::Stored);
    CHECK(w3.seq == 4);
  }
  SUBCASE("corrupt file") {
    corrupt(db);
    Record r = sample();
    WriteResult w = write_record(db, r, kDirect);
    CHECK(w.outcome == Outcome::Spooled);
    CHECK(w.failure_class == "corrupt");
    CHECK(w.message.find(spool_path(db).string()) != std::string::npos);
    VerifyReport v = verify(db);
    CHECK_FALSE(v.ok);
    CHECK(v.spooled == 1);
  }
  SUBCASE("full (max_page_count)") {
    Store s = Store::open(db);
    REQUIRE(sqlite3_exec(s.handle(), "PRAGMA max_page_count=8", nullptr, nullptr, nullptr) == SQLITE_OK);
    Record r = sample();
    r.arguments = "\"" + std::string(200000, 'x') + "\"";
    try {
      s.append(r);
      FAIL("append succeeded");
    } catch (const StoreError& e) {
      CHECK(e.failure == Failure::Full);
    }
  }
  SUBCASE("neither store nor spool can be written") {
    fs::path nowhere = t.path / "file";
    std::ofstream(nowhere) << "x";
    Record r = sample();
    WriteResult w = write_record(nowhere / "audit.db", r, kDirect);
    CHECK(w.outcome == Outcome::Lost);
    CHECK(w.message.find("spool") != std::string::npos);
  }
}

TEST_CASE("journal mode: one spool line per record, folded onto the chain in batches") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  WriteOptions journal{.mode = WriteMode::Journal, .busy_timeout_ms = 100, .fold_at_bytes = 1u << 20};

  Record a = sample("Read"), b = sample("Write");
  CHECK(write_record(db, a, journal).outcome == Outcome::Journaled);
  CHECK(write_record(db, b, journal).outcome == Outcome::Journaled);
  CHECK_FALSE(fs::exists(db));  // below the fold size nothing touches SQLite
  CHECK(spool_status(spool_path(db)).pending == 2);

  FoldResult f = fold_pending(db, 100);
  CHECK(f.error.empty());
  CHECK(f.added == 2);
  CHECK_FALSE(fs::exists(spool_path(db)));
  VerifyReport v = verify(db);
  CHECK(v.ok);
  CHECK(v.rows == 2);
  {
    Store s = Store::open(db, {.read_only = true});
    auto rows = list(s, Filter{});
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].tool == "Read");  // journal order is chain order
    CHECK(rows[1].tool == "Write");
    CHECK(rows[0].origin == "live");
  }
  CHECK(fold_pending(db, 100).added == 0);  // nothing waiting: a no-op

  SUBCASE("the write that passes the fold size asks for a fold and leaves it to the caller") {
    journal.fold_at_bytes = 1;
    Record c = sample("Edit");
    WriteResult w = write_record(db, c, journal);
    CHECK(w.outcome == Outcome::Journaled);
    CHECK(w.fold_due);
    CHECK(w.message.empty());
    CHECK(verify(db).rows == 2);
    CHECK(verify(db).spooled == 1);
    CHECK(fold_pending(db, 100).added == 1);
    CHECK(verify(db).rows == 3);
    CHECK(verify(db).spooled == 0);
  }
  SUBCASE("a locked store leaves records waiting, quietly; the next fold takes them") {
    journal.fold_at_bytes = 1;
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    REQUIRE(sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    Record c = sample("Edit");
    auto started = std::chrono::steady_clock::now();
    WriteResult w = write_record(db, c, journal);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::milliseconds(1000));
    CHECK(w.outcome == Outcome::Journaled);
    CHECK(w.message.empty());
    FoldResult busy = fold_pending(db, 10);
    CHECK(busy.locked);
    CHECK_FALSE(busy.error.empty());
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    CHECK(fold_pending(db, 100).added == 1);
    CHECK(verify(db).ok);
  }
  SUBCASE("a corrupt store: the record waits and the fold says why") {
    journal.fold_at_bytes = 1;
    corrupt(db);
    Record c = sample("Edit");
    WriteResult w = write_record(db, c, journal);
    CHECK(w.outcome == Outcome::Journaled);
    CHECK(w.fold_due);
    FoldResult f = fold_pending(db, 100);
    CHECK_FALSE(f.locked);
    CHECK(f.error.find("audit store") != std::string::npos);
    CHECK(spool_status(spool_path(db)).pending == 1);
  }
  SUBCASE("no spool: the store directly, else a failure naming both") {
    fs::create_symlink(t.path / "elsewhere", spool_path(db));  // refused: the spool is opened O_NOFOLLOW
    Record c = sample("Edit");
    WriteResult w = write_record(db, c, journal);
    CHECK(w.outcome == Outcome::Stored);
    CHECK(w.seq == 3);
    corrupt(db);
    Record d = sample("Edit");
    WriteResult lost = write_record(db, d, journal);
    CHECK(lost.outcome == Outcome::Lost);
    CHECK(lost.message.find("spool") != std::string::npos);
    CHECK(lost.message.find("store") != std::string::npos);
  }
}

TEST_CASE("spool lines: written directly, read back as the same record") {
  Record r = sample("Write");
  r.cwd = "/home/u/proj \"quoted\"\ttab";
  r.reason = "line one\nline two \xc3\xa9 \x01 \\ done";
  // As the hook writes arguments: compact JSON from nlohmann's dump.
  r.arguments = nlohmann::json::parse(R"({"file_path":"/tmp/a","content":"x\ny \"z\" \u00e9","n":[1,2.5,null,true]})").dump();
  r.exec_duration_ms = 42;
  r.os_uid = 1000;
  r.identity = "alice@example.com";
  r.prompt_id = "p-7";
  r.agent_version = "2.1.340";
  std::string line = to_json_line(r);
  nlohmann::json want = to_json(r);
  want["os_uid"] = 1000;
  CHECK(nlohmann::json::parse(line) == want);
  Record back = from_json(nlohmann::json::parse(line));
  CHECK(back.os_uid == 1000);
  CHECK(back.prompt_id == "p-7");
  CHECK(back.agent_version == "2.1.340");
  back.prev_hash = r.prev_hash = kGenesisHash;
  CHECK(compute_hash(back, "k") == compute_hash(r, "k"));

  SUBCASE("arguments that are not JSON are kept as a string") {
    r.arguments = "{not json";
    CHECK(nlohmann::json::parse(to_json_line(r))["arguments"] == "{not json");
  }
  SUBCASE("text that is not UTF-8 still makes a readable line") {
    r.rule_description = "bad \xff byte";
    auto j = nlohmann::json::parse(to_json_line(r));
    CHECK(j["rule_description"] == "bad \xef\xbf\xbd byte");
  }
}

TEST_CASE("prompt_id and agent_version: stored, spooled, exported and verified") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  Record spooled = sample("Read");
  spooled.prompt_id = "p-spooled";
  {
    Store s = Store::open(db);
    Record r = sample();
    r.prompt_id = "p-1";
    r.agent_version = "2.1.340";
    s.append(r);
    spool_append(spool_path(db), spooled, Sync::None, install_key(db));
    Record plain = sample();
    s.append(plain);
  }
  Store s = Store::open(db, {.read_only = true});
  std::vector<Record> rows = list(s, {});
  REQUIRE(rows.size() == 3);
  CHECK(rows[0].prompt_id == "p-1");
  CHECK(rows[0].agent_version == "2.1.340");
  CHECK(rows[1].prompt_id == "p-spooled");
  CHECK(rows[2].prompt_id.empty());
  CHECK(verify(db).ok);
  for (Format f : {Format::Csv, Format::Jsonl}) {
    fs::path out = t.path / "export";
    export_to_file(s, {}, f, out);
    std::ifstream in(out);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (f == Format::Csv) {
      CHECK(text.substr(0, text.find('\r')).ends_with(",hash,prompt_id,agent_version"));
      CHECK(text.find(",p-1,2.1.340\r\n") != std::string::npos);
    } else {
      auto first = nlohmann::json::parse(text.substr(0, text.find('\n')));
      CHECK(first["prompt_id"] == "p-1");
      CHECK(first["agent_version"] == "2.1.340");
    }
  }
  SUBCASE("a row whose prompt_id is edited no longer verifies") {
    raw_exec(db, "DROP TRIGGER events_append_only; UPDATE events SET prompt_id = 'p-2' WHERE seq = 1");
    VerifyReport v = verify(db);
    CHECK_FALSE(v.ok);
    CHECK(v.first_bad_seq == 1);
  }
}

TEST_CASE("a record that carries only its uid gets the user's name in the store") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  Store s = Store::open(db);
  Record r = sample();
  r.os_uid = ::geteuid();
  s.append(r);
  const passwd* pw = ::getpwuid(::geteuid());
  REQUIRE(pw);
  CHECK(r.os_user == pw->pw_name);
  Record other = sample();
  other.os_uid = 4000000;  // no such user
  s.append(other);
  CHECK(other.os_user == "uid:4000000");
  CHECK(verify(db).ok);
}

TEST_CASE("a version 1 store migrates: old rows keep plain hashes, new rows are keyed, both verify") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  raw_exec(db, std::string(schema::kMigrations[0]) + "PRAGMA user_version=1;");
  std::string prev = kGenesisHash;
  {
    // Rows exactly as a version 1 store holds them: plain SHA-256 hashes.
    sqlite3* h = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
    // Bound as the latest columns into a staging table, copied as version 1's.
    REQUIRE(sqlite3_exec(h, "CREATE TEMP TABLE staging AS SELECT * FROM events WHERE 0; "
                            "ALTER TABLE staging ADD COLUMN prompt_id; ALTER TABLE staging ADD COLUMN agent_version;",
                         nullptr, nullptr, nullptr) == SQLITE_OK);
    std::string sql = std::string("INSERT INTO staging(") + schema::kColumns + ") VALUES(?";
    for (int i = 1; i < schema::kColumnCount; ++i) sql += ",?";
    sql += ")";
    sqlite3_stmt* st = nullptr;
    REQUIRE(sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK);
    for (int i = 1; i <= 3; ++i) {
      Record r = sample();
      r.seq = i;
      r.prev_hash = prev;
      r.hash = compute_hash(r, "");
      prev = r.hash;
      bind_record(st, r);
      REQUIRE(sqlite3_step(st) == SQLITE_DONE);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    std::string v1_columns = schema::columns(1);
    v1_columns.erase(v1_columns.find(",'',''"), 6);
    const std::string copy = "INSERT INTO main.events(" + v1_columns + ") SELECT " + v1_columns + " FROM staging";
    REQUIRE(sqlite3_exec(h, copy.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(h);
  }
  {
    Store old_reader = Store::open(db, {.read_only = true});
    CHECK(old_reader.schema_version() == 1);
    std::vector<Record> rows = list(old_reader, {});
    REQUIRE(rows.size() == 3);
    CHECK(rows[2].hash == prev);
    CHECK(rows[2].prompt_id.empty());
  }
  VerifyReport old = verify(db);
  CHECK(old.ok);  // read as version 1, before any writer migrated it
  CHECK(old.rows == 3);
  {
    Store s = Store::open(db);
    Record r = sample();
    CHECK(s.append(r) == 4);
    CHECK(r.prev_hash == prev);
    CHECK(r.hash != compute_hash(r, ""));  // keyed
    CHECK(r.hash == compute_hash(r, install_key(db)));
    auto id = read_identity(s.handle());
    REQUIRE(id);
    CHECK(id->keyed_from == 4);
    CHECK(id->store_id.size() == 32);
  }
  VerifyReport v = verify(db);
  INFO(v.problems.size());
  CHECK(v.ok);
  CHECK(v.rows == 4);
  CHECK(v.witness_seq == 4);

  SUBCASE("an old row edited and the chain re-hashed without the key breaks at the first keyed row") {
    std::string p = kGenesisHash;
    raw_exec(db, "DROP TRIGGER events_append_only");
    Store s = Store::open(db, {.read_only = true});
    std::vector<Record> rows;
    {
      Stmt st(s.handle(), std::string("SELECT ") + schema::kColumns + " FROM events ORDER BY seq");
      while (st.step()) rows.push_back(read_record(st));
    }
    for (Record& r : rows) {
      if (r.seq == 2) r.decision = "deny";
      r.prev_hash = p;
      r.hash = compute_hash(r, "");
      p = r.hash;
      raw_exec(db, "UPDATE events SET decision='" + r.decision + "', prev_hash='" + r.prev_hash + "', hash='" + r.hash +
                       "' WHERE seq=" + std::to_string(r.seq));
    }
    VerifyReport bad = verify(db);
    CHECK_FALSE(bad.ok);
    CHECK(bad.first_bad_seq == 4);
    bool named = false;
    for (const auto& pr : bad.problems) named |= pr.find("seq 4 edited (hash mismatch)") != std::string::npos;
    CHECK(named);
  }
  SUBCASE("moving the keyed range (store_meta) is a forged identity") {
    raw_exec(db, "DROP TRIGGER store_meta_fixed; UPDATE store_meta SET keyed_from = 100");
    VerifyReport bad = verify(db);
    CHECK_FALSE(bad.ok);
    REQUIRE_FALSE(bad.problems.empty());
    CHECK(bad.problems[0].find("identity (store_meta) is forged") != std::string::npos);
  }
}

TEST_CASE("journal lines are chained as they are appended, also by concurrent appenders") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  fs::path spool = spool_path(db);
  const std::string key = install_key(db);
  constexpr int kThreads = 8, kEach = 50;
  std::vector<std::thread> workers;
  for (int w = 0; w < kThreads; ++w)
    workers.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        Record r = sample();
        spool_append(spool, r, Sync::None, key);
      }
    });
  for (auto& w : workers) w.join();
  JournalCheck j = check_journal(spool, key, false);
  CHECK(j.lines == kThreads * kEach);
  CHECK(j.breaks == 0);
  CHECK(check_journal(spool, std::string(32, 'x'), false).first_break == 1);  // another key: nothing links

  SUBCASE("a line cut short: the next line starts on its own line and a new chain") {
    fs::resize_file(spool, fs::file_size(spool) - 10);
    Record r = sample();
    spool_append(spool, r, Sync::None, key);
    JournalCheck after = check_journal(spool, key, false);
    CHECK(after.lines == kThreads * kEach + 1);
    CHECK(after.breaks == 1);
    CHECK(after.first_break == kThreads * kEach);  // the damaged line only
    {
      Store s = Store::open(db);
      CHECK(s.fold_spool() == kThreads * kEach);  // the damaged line is rejected, the rest folded
    }
    VerifyReport v = verify(db);
    CHECK(v.rows == kThreads * kEach);
    CHECK(v.rejected == 1);
  }
  SUBCASE("an untouched journal folds without marks") {
    {
      Store s = Store::open(db);
      CHECK(s.fold_spool() == kThreads * kEach);
    }
    CHECK(verify(db).ok);
  }
}

TEST_CASE("the head witness follows the store and keeps evidence of another store") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  {
    Store s = Store::open(db);
    for (int i = 0; i < 3; ++i) {
      Record r = sample();
      s.append(r);
    }
  }
  std::optional<Witness> w = read_witness(db);
  REQUIRE(w);
  CHECK(w->seq == 3);
  CHECK(w->hash == chain_head(db).hash);
  struct stat sb{};
  REQUIRE(::stat(witness_path(db).c_str(), &sb) == 0);
  CHECK((sb.st_mode & 0777) == 0600);

  SUBCASE("a forged witness is named") {
    std::string text;
    {
      std::ifstream in(witness_path(db));
      std::getline(in, text);
    }
    const std::string seq = " 00000000000000000003 ";
    REQUIRE(text.find(seq) != std::string::npos);
    text.replace(text.find(seq), seq.size(), " 00000000000000000009 ");
    std::ofstream(witness_path(db)) << text << "\n";
    VerifyReport v = verify(db);
    CHECK_FALSE(v.ok);
    REQUIRE_FALSE(v.problems.empty());
    CHECK(v.problems[0].find("forged (bad MAC)") != std::string::npos);
  }
  SUBCASE("a replaced store does not move the witness") {
    for (const char* s : {"", "-wal", "-shm"}) fs::remove(fs::path(db).concat(s));
    {
      Store s = Store::open(db);
      Record r = sample();
      s.append(r);
    }
    CHECK(read_witness(db)->seq == 3);
    VerifyReport v = verify(db);
    CHECK_FALSE(v.ok);
    REQUIRE_FALSE(v.problems.empty());
    CHECK(v.problems[0].find("store replaced") != std::string::npos);
    fs::remove(witness_path(db));  // the user accepts the new store
    {
      Store s = Store::open(db);
      Record r = sample();
      s.append(r);
    }
    CHECK(verify(db).ok);
  }
  SUBCASE("a deleted witness is named") {
    fs::remove(witness_path(db));
    VerifyReport v = verify(db);
    CHECK_FALSE(v.ok);
    REQUIRE_FALSE(v.problems.empty());
    CHECK(v.problems[0].find("witness") != std::string::npos);
    CHECK(v.problems[0].find("is missing") != std::string::npos);
  }
}

TEST_CASE("arguments nested too deep are kept as text: a spool line is rejected, a row is shown as text") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  Record r = sample();
  r.arguments = deep;
  nlohmann::json j = to_json(r);
  CHECK(j["arguments"].is_string());
  CHECK(summary_line(r, false).size() < deep.size() + 200);
  // A journal line carrying it (written by hand: the hook never produces one) is set aside.
  Record ok = sample("Read");
  spool_append(spool_path(db), ok, Sync::None, install_key(db));
  std::ofstream(spool_path(db), std::ios::app) << R"({"spool_id":"x","timestamp":"t","hook_event":"PreToolUse","arguments":)"
                                               << deep << "}\n";
  Store s = Store::open(db);
  CHECK(s.fold_spool() == 1);
  CHECK(verify(db).rejected == 1);
}

TEST_CASE("GitCommit records index their commits; blame finds them by prefix and reads the chained record") {
  TempDir t;
  fs::path db = t.path / "audit.db";
  const std::string c1 = "3f2a" + std::string(36, '1'), c2 = "3f2b" + std::string(36, '2');
  {
    Store s = Store::open(db);
    Record prompt = sample();
    prompt.hook_event = "UserPromptSubmit";
    prompt.tool_use_id.clear();
    prompt.prompt_id = "p-1";
    s.append(prompt);
    Record call = sample();
    call.tool_use_id = "toolu_c";
    call.prompt_id = "p-1";
    call.arguments = R"({"command":"git commit -m x"})";
    s.append(call);
    Record commit = sample();
    commit.hook_event = kCommitEvent;
    commit.tool_use_id = "toolu_c";
    commit.prompt_id = "p-1";
    commit.arguments = R"({"repository":"/r","branch":"main","commits":[")" + c1 + R"(",")" + c2 + R"("]})";
    // Spooled: indexed when folded in.
    spool_append(spool_path(db), commit, Sync::None, install_key(db));
    Record later = sample();
    s.append(later);
  }
  Store s = Store::open(db, {.read_only = true});
  auto both = find_commits(s, "3F2A");
  CHECK(both.size() == 1);  // upper case matches too
  both = find_commits(s, "3f2a");
  REQUIRE(both.size() == 1);
  both.push_back(find_commits(s, "3f2b").at(0));
  REQUIRE(both.size() == 2);
  CHECK(both[0].repository == "/r");
  CHECK(both[0].branch == "main");
  CHECK(both[0].seq == 3);
  auto one = blame(s, c2.substr(0, 8));
  REQUIRE(one.size() == 1);
  CHECK(one[0].commit.commit_id == c2);
  CHECK(one[0].commit_record.seq == 3);
  REQUIRE(one[0].prompt.size() == 1);
  CHECK(one[0].prompt[0].seq == 1);
  REQUIRE(one[0].call.size() == 1);
  CHECK(one[0].call[0].seq == 2);
  CHECK(blame_text(one).find("commit " + c2) != std::string::npos);
  CHECK(find_commits(s, "3f2c").empty());
  CHECK_THROWS_AS(find_commits(s, "3f"), std::invalid_argument);
  CHECK_THROWS_AS(find_commits(s, "xyz1"), std::invalid_argument);
  CHECK(verify(db).ok);

  SUBCASE("a commits row with no chained record naming it is not believed") {
    raw_exec(db, "INSERT INTO commits(seq, commit_id, repository, branch) VALUES(2, '" + std::string(40, 'e') +
                     "', '/r', 'main')");
    Store again = Store::open(db, {.read_only = true});
    CHECK(find_commits(again, "eeee").size() == 1);
    CHECK(blame(again, "eeee").empty());
  }
}

TEST_CASE("timeline steps and the HTML report escape what they show") {
  Record r = sample();
  r.arguments = R"({"command":"echo <b>&</b>"})";
  r.decision = "deny";
  r.rule_id = "x.y";
  Step st = step_of(r);
  CHECK(st.kind == "call");
  CHECK(st.text == "call Bash echo <b>&</b> -> deny (x.y)");
  CHECK(html_escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  TempDir t;
  fs::path db = t.path / "audit.db";
  {
    Store s = Store::open(db);
    s.append(r);
  }
  Store s = Store::open(db, {.read_only = true});
  const std::string html = html_report(s, {}, verify(db), "now");
  CHECK(html.find("echo &lt;b&gt;&amp;&lt;/b&gt;") != std::string::npos);
  CHECK(html.find("<b>&</b>") == std::string::npos);
  CHECK(html.find("verified: 1 record(s)") != std::string::npos);
}
