#include <doctest/doctest.h>

#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/file_modes.h"
#include "audit/location.h"
#include "audit/spool.h"
#include "audit/store.h"
#include "audit/verify.h"
#include "support/process.h"

namespace fs = std::filesystem;
using namespace preloop::audit;
using preloop::testing::TempDir;

namespace {

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

struct Umask {
  mode_t saved;
  explicit Umask(mode_t m) : saved(::umask(m)) {}
  ~Umask() { ::umask(saved); }
};

}  // namespace

TEST_CASE("a store created under umask 022 has owner-only -wal and -shm") {
  Umask u(022);
  TempDir t;
  fs::path db = fs::path(t.path()) / "audit.db";
  { Store s = Store::open(db); }
  for (const char* suffix : {"", "-wal", "-shm"}) {
    CAPTURE(suffix);
    CHECK(mode_of(fs::path(db).concat(suffix)) == 0600);
  }
}

TEST_CASE("the store's files found looser are tightened; links and others' files are not touched") {
  Umask u(022);
  TempDir t;
  fs::path db = fs::path(t.path()) / "audit.db";
  { Store s = Store::open(db); }
  preloop::audit::Record r;
  r.ts = "2026-01-01T00:00:00Z";
  r.hook_event = "PreToolUse";
  spool_append(spool_path(db), r, Sync::None, "");
  fs::path key = t.write("audit.db.key", std::string(32, 'k'));
  std::vector<fs::path> files{db, fs::path(db).concat("-wal"), fs::path(db).concat("-shm"), spool_path(db), key};
  for (const auto& f : files) REQUIRE(::chmod(f.c_str(), 0644) == 0);
  // A link planted in place of a store file must not lead a chmod elsewhere.
  fs::path victim = t.write("victim.txt", "x");
  ::chmod(victim.c_str(), 0644);
  fs::path rejected = fs::path(spool_path(db)).concat(".rejected");
  fs::create_symlink(victim, rejected);

  SUBCASE("opening the store for writing fixes the SQLite files") {
    { Store s = Store::open(db); }
    for (const char* suffix : {"", "-wal", "-shm"}) CHECK(mode_of(fs::path(db).concat(suffix)) == 0600);
    CHECK(mode_of(spool_path(db)) == 0644);  // its own writer fixes the journal
  }
  SUBCASE("health fixes and reports every file") {
    Health h = health(db);
    for (const auto& f : files) {
      CAPTURE(f);
      CHECK(mode_of(f) == 0600);
      bool reported = false;
      for (const auto& line : h.findings)
        reported |= line == f.string() + " was mode 0644; made owner-only (0600)";
      CHECK(reported);
    }
    CHECK(mode_of(victim) == 0644);
  }
  SUBCASE("appending to the journal fixes it") {
    spool_append(spool_path(db), r, Sync::None, "");
    CHECK(mode_of(spool_path(db)) == 0600);
  }
  SUBCASE("another user's file is reported, not changed") {
    if (::geteuid() != 0) return;  // only root can give a file away
    REQUIRE(::chown(key.c_str(), 65534, 65534) == 0);
    std::vector<LooseMode> loose = tighten_store_modes(db);
    bool found = false;
    for (const auto& m : loose)
      if (m.path == key) {
        found = true;
        CHECK_FALSE(m.fixed);
        CHECK(m.mode == 0644);
      }
    CHECK(found);
    CHECK(mode_of(key) == 0644);
    Health h = health(db);
    CHECK_FALSE(h.ok);
    bool reported = false;
    for (const auto& line : h.findings)
      reported |= line.find(key.string() + " is readable by other users (mode 0644)") == 0;
    CHECK(reported);
  }
}

TEST_CASE("a FIFO in place of the journal fails at once instead of blocking") {
  TempDir t;
  fs::path db = fs::path(t.path()) / "audit.db";
  REQUIRE(::mkfifo(spool_path(db).c_str(), 0600) == 0);
  preloop::audit::Record r;
  r.ts = "2026-01-01T00:00:00Z";
  r.hook_event = "PreToolUse";
  ::alarm(20);
  CHECK_THROWS_AS(spool_append(spool_path(db), r, Sync::None, ""), std::runtime_error);
  // A reader present: the open succeeds, the type check refuses it.
  int reader = ::open(spool_path(db).c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  CHECK_THROWS_WITH(spool_append(spool_path(db), r, Sync::None, ""), doctest::Contains("is a FIFO, not a regular file"));
  ::close(reader);
  // Folding a FIFO left as the batch file.
  fs::rename(spool_path(db), fs::path(spool_path(db)).concat(".folding"));
  CHECK_THROWS_WITH(SpoolBatch(spool_path(db), "", true), doctest::Contains("is a FIFO, not a regular file"));
  ::alarm(0);
}
