// When the store fails: the decision is unchanged and prompt, the record waits
// in the spool and is folded in later, or — when nothing can keep it — the hook
// denies. Journal mode (the default) and direct mode each get the real failures.
#include <doctest/doctest.h>

#include <filesystem>
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/verify.h"
#include "audit_harness.h"

namespace fs = std::filesystem;
using namespace preloop::audit_test;

namespace {

constexpr const char* kConfig = "profile: off\naudit: {busy_timeout_ms: 200, mode: direct}\n";
constexpr const char* kJournal = "profile: off\naudit: {busy_timeout_ms: 200}\n";

// The answer of a healthy store for the same event, to compare against.
Run control(const std::string& event) {
  Sandbox healthy(kJournal);
  return healthy.hook(event);
}

std::function<void()> file_size_limit(rlim_t bytes) {
  return [bytes] {
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit rl{bytes, bytes};
    ::setrlimit(RLIMIT_FSIZE, &rl);
  };
}

// Another connection holding the write lock, as a long transaction would.
class WriteLock {
 public:
  explicit WriteLock(const std::string& db) {
    REQUIRE(sqlite3_open(db.c_str(), &h_) == SQLITE_OK);
    REQUIRE(sqlite3_exec(h_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  }
  ~WriteLock() { release(); }
  void release() {
    if (!h_) return;
    sqlite3_exec(h_, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(h_);
    h_ = nullptr;
  }

 private:
  sqlite3* h_ = nullptr;
};

// Moves the records from the WAL into the file, then cuts the file short.
void corrupt(const Sandbox& sb) {
  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(sb.db().c_str(), &h) == SQLITE_OK);
  REQUIRE(sqlite3_exec(h, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(h);
  fs::resize_file(sb.db(), 1000);
  fs::remove(sb.db() + "-wal");
  fs::remove(sb.db() + "-shm");
}

std::int64_t rows(const Sandbox& sb) { return preloop::audit::verify(sb.db()).rows; }

// `audit verify` folds what waits (a hook's detached fold may still be on it) and
// checks the whole chain.
void expect_verified_rows(const Sandbox& sb, std::int64_t n) {
  Run v = sb.audit({"verify", "--json"});
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK(nlohmann::json::parse(v.out)["rows"] == n);
}

void same_decision(const Run& got, const Run& want) {
  CHECK(got.exit_code == want.exit_code);
  CHECK(got.out == want.out);
}

}  // namespace

TEST_CASE("direct mode: write lock held by another connection past the deadline") {
  Sandbox sb(kConfig);
  REQUIRE(sb.hook(sb.pre("toolu_0", {{"command", "ls"}})).exit_code == 0);
  std::string ev = sb.pre("toolu_1", {{"command", "git status"}});
  Run want = control(ev);

  WriteLock lock(sb.db());
  Run got = sb.hook(ev);
  same_decision(got, want);
  CHECK(got.ms < 1500);
  CHECK(got.err.find("audit store unavailable") != std::string::npos);
  CHECK(got.err.find("spool") != std::string::npos);
  Run v = sb.audit({"verify"});
  CHECK(v.exit_code == 1);
  CHECK(v.out.find("waiting in the spool") != std::string::npos);
  lock.release();

  REQUIRE(sb.hook(sb.pre("toolu_2", {{"command", "ls"}})).exit_code == 0);
  CHECK(rows(sb) == 3);
  Run after = sb.audit({"verify"});
  CHECK(after.exit_code == 0);
  Run show = sb.audit({"show", "toolu_1", "--json"});
  REQUIRE(show.exit_code == 0);
  auto j = nlohmann::json::parse(show.out);
  CHECK(j["origin"] == "spool");
  CHECK(j["failure_class"].get<std::string>().find("audit_locked") != std::string::npos);
}

TEST_CASE("direct mode: truncated (corrupt) database file") {
  Sandbox sb(kConfig);
  for (int i = 0; i < 3; ++i) REQUIRE(sb.hook(sb.pre("toolu_" + std::to_string(i), {{"command", "ls"}})).exit_code == 0);
  corrupt(sb);
  std::string ev = sb.pre("toolu_9", {{"command", "rm -rf build"}});
  Run want = control(ev);
  Run got = sb.hook(ev);
  same_decision(got, want);
  CHECK(got.err.find("audit store unavailable") != std::string::npos);
  Run v = sb.audit({"verify"});
  CHECK(v.exit_code == 1);
  CHECK(v.out.find("corrupt") != std::string::npos);
  CHECK(v.out.find("1 record(s) are waiting in the spool") != std::string::npos);
}

TEST_CASE("direct mode: disk full: the store cannot grow (RLIMIT_FSIZE), the spool keeps the record") {
  Sandbox sb(kConfig);
  REQUIRE(sb.hook(sb.pre("toolu_0", {{"command", "ls"}})).exit_code == 0);
  std::string ev = sb.pre("toolu_1", {{"command", "make"}});
  Run want = control(ev);
  auto limit = file_size_limit;
  Run got = sb.hook(ev, limit(4096));
  same_decision(got, want);
  CHECK(got.err.find("spool") != std::string::npos);
  CHECK(preloop::audit::verify(sb.db()).spooled == 1);

  SUBCASE("and when not even the spool can be written, the hook denies") {
    Run lost = sb.hook(sb.pre("toolu_2", {{"command", "make"}}), limit(16));
    CHECK(lost.exit_code == 2);
    CHECK(lost.err.find("could not be kept") != std::string::npos);
  }
  SUBCASE("the spooled record is folded in once the disk has room") {
    REQUIRE(sb.hook(sb.pre("toolu_3", {{"command", "ls"}})).exit_code == 0);  // queues behind it, starts a fold
    expect_verified_rows(sb, 3);
  }
}

TEST_CASE("direct mode: read-only store file and read-only directory (file modes enforced)") {
  Sandbox sb(kConfig);
  auto user = as_nobody();
  if (running_as_root()) sb.chown_store(kNobody, kNobody);
  REQUIRE(sb.hook(sb.pre("toolu_0", {{"command", "ls"}}), user).exit_code == 0);
  std::string ev = sb.pre("toolu_1", {{"command", "ls -la"}});
  Run want = control(ev);

  SUBCASE("database file read-only: spooled, folded in after chmod back") {
    REQUIRE(::chmod(sb.db().c_str(), 0400) == 0);
    Run got = sb.hook(ev, user);
    same_decision(got, want);
    CHECK(got.err.find("audit store unavailable") != std::string::npos);
    // SQLite gave the -wal/-shm files it recreated the database file's mode: restore all.
    for (const char* suffix : {"", "-wal", "-shm"}) ::chmod((sb.db() + suffix).c_str(), 0600);
    REQUIRE(sb.hook(sb.pre("toolu_2", {{"command", "ls"}}), user).exit_code == 0);
    expect_verified_rows(sb, 3);
  }
  SUBCASE("directory and database read-only: nothing can be kept, the hook denies") {
    REQUIRE(::chmod(sb.db().c_str(), 0400) == 0);
    REQUIRE(::chmod((sb.dir() + "/store").c_str(), 0500) == 0);
    Run got = sb.hook(ev, user);
    CHECK(got.exit_code == 2);
    CHECK(got.err.find("could not be kept") != std::string::npos);
    ::chmod((sb.dir() + "/store").c_str(), 0700);
  }
  SUBCASE("with fail_mode: open the same failure lets the decision through, loudly") {
    sb.set_config(std::string(kConfig) + "fail_mode: open\n");
    REQUIRE(::chmod(sb.db().c_str(), 0400) == 0);
    REQUIRE(::chmod((sb.dir() + "/store").c_str(), 0500) == 0);
    Run got = sb.hook(ev, user);
    CHECK(got.exit_code == 0);
    CHECK(got.err.find("could not be kept") != std::string::npos);
    ::chmod((sb.dir() + "/store").c_str(), 0700);
  }
}

TEST_CASE("journal mode: a locked store does not slow the hook; the record waits and joins the chain in order") {
  Sandbox sb(kJournal);
  REQUIRE(sb.hook(sb.pre("toolu_0", {{"command", "ls"}})).exit_code == 0);
  REQUIRE(sb.audit({"verify"}).exit_code == 0);  // folds toolu_0: the store exists
  std::string ev = sb.pre("toolu_1", {{"command", "git status"}});
  Run want = control(ev);

  WriteLock lock(sb.db());
  Run got = sb.hook(ev);
  same_decision(got, want);
  CHECK(got.ms < 1500);
  CHECK(got.err.empty());  // nothing went wrong: the record is kept
  Run v = sb.audit({"verify"});
  CHECK(v.exit_code == 1);
  CHECK(v.err.find("were not folded in") != std::string::npos);
  CHECK(v.out.find("1 record(s) are waiting in the spool") != std::string::npos);
  lock.release();

  REQUIRE(sb.hook(sb.pre("toolu_2", {{"command", "ls"}})).exit_code == 0);
  Run list = sb.audit({"list", "--json"});
  REQUIRE(list.exit_code == 0);
  auto rows = nlohmann::json::parse(list.out);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1]["tool_use_id"] == "toolu_1");
  CHECK(rows[1]["seq"] == 2);
  CHECK(rows[1]["origin"] == "live");
  CHECK(rows[2]["tool_use_id"] == "toolu_2");
  CHECK(sb.audit({"verify"}).exit_code == 0);
}

TEST_CASE("journal mode: a corrupt store keeps records waiting, also when the journal is due a fold") {
  Sandbox sb(kJournal);
  for (int i = 0; i < 3; ++i) REQUIRE(sb.hook(sb.pre("toolu_" + std::to_string(i), {{"command", "ls"}})).exit_code == 0);
  REQUIRE(sb.audit({"verify"}).exit_code == 0);
  corrupt(sb);
  std::string ev = sb.pre("toolu_9", {{"command", "rm -rf build"}});
  Run want = control(ev);
  Run got = sb.hook(ev);
  same_decision(got, want);
  Run v = sb.audit({"verify"});
  CHECK(v.exit_code == 1);
  CHECK(v.out.find("corrupt") != std::string::npos);
  CHECK(v.out.find("1 record(s) are waiting in the spool") != std::string::npos);
  // A journal past the fold size makes the hook start a fold; it fails, the records
  // keep waiting, and the hook answers as ever, without waiting for it.
  std::string big(70000, 'x');
  Run started = sb.hook(sb.pre("toolu_10", {{"command", "echo " + big}}));
  CHECK(started.exit_code == want.exit_code);
  Run again = sb.audit({"verify"});
  CHECK(again.exit_code == 1);
  CHECK(again.err.find("were not folded in") != std::string::npos);
  CHECK(preloop::audit::verify(sb.db()).spooled == 2);
}

TEST_CASE("journal mode: when neither the spool nor the store can be written, the hook denies") {
  Sandbox sb(kJournal);
  REQUIRE(sb.hook(sb.pre("toolu_0", {{"command", "ls"}})).exit_code == 0);
  REQUIRE(sb.audit({"verify"}).exit_code == 0);
  SUBCASE("no room to grow any file (RLIMIT_FSIZE)") {
    Run lost = sb.hook(sb.pre("toolu_1", {{"command", "make"}}), file_size_limit(16));
    CHECK(lost.exit_code == 2);
    CHECK(lost.err.find("could not be kept") != std::string::npos);
    CHECK(rows(sb) == 1);
  }
  SUBCASE("read-only directory and database (as an unprivileged user)") {
    auto user = as_nobody();
    if (running_as_root()) sb.chown_store(kNobody, kNobody);
    REQUIRE(::chmod(sb.db().c_str(), 0400) == 0);
    REQUIRE(::chmod((sb.dir() + "/store").c_str(), 0500) == 0);
    Run lost = sb.hook(sb.pre("toolu_1", {{"command", "make"}}), user);
    CHECK(lost.exit_code == 2);
    CHECK(lost.err.find("could not be kept") != std::string::npos);
    ::chmod((sb.dir() + "/store").c_str(), 0700);
  }
}
