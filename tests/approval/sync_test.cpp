// Policy sync against the scripted server: ETag round trips, atomic
// replacement, and no bad answer ever replacing a good cache.
#include <doctest/doctest.h>

#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "approval/fake_preloop.h"
#include "approval/policy_check.h"
#include "approval/run_hook.h"
#include "approval/sync.h"

using namespace preloop::approval;
using namespace preloop::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* kExport = "/api/v1/policies/export";

// What Preloop's export looks like: no condition_type, no approver lists.
const char* const kGoodExport = R"J({
  "version": "1.0",
  "metadata": {"name": "acme", "description": "Exported policy"},
  "approval_workflows": [{"name": "manual-approval", "timeout_seconds": 600, "approvals_required": 1,
                          "workflow_type": "simple", "is_default": true}],
  "tools": [{"name": "Bash", "source": "builtin", "conditions": [
      {"expression": "args.command.contains('git push')", "action": "require_approval",
       "approval_workflow": "manual-approval", "description": "Pushes need a human"}]}],
  "defaults": {}
})J";

const char* const kSecondExport = R"J({"version": "1.0", "tools": [{"name": "Bash", "conditions": [
  {"expression": "args.command.contains('rm -rf')", "action": "deny", "description": "No"}]}]})J";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

ApprovalSettings fast() {
  ApprovalSettings s;
  s.retry_initial = std::chrono::milliseconds(20);
  s.retry_max = std::chrono::milliseconds(50);
  return s;
}

SyncResult sync_once(const FakePreloop& server, const fs::path& dir, const std::string& token = "tok",
                     const SyncSettings& sync = {}) {
  return sync_policy({server.url(), token, "test"}, fast(), sync, dir, validate_policy_text,
                     std::chrono::steady_clock::now() + std::chrono::seconds(2));
}

struct SyncDir {
  fs::path path;
  SyncDir() {
    char t[] = "/tmp/preloop-sync-XXXXXX";
    path = fs::path(::mkdtemp(t)) / "synced";
  }
  ~SyncDir() { fs::remove_all(path.parent_path()); }
};

}  // namespace

TEST_CASE("sync: download, ETag round trip, status") {
  FakePreloop server;
  SyncDir t;
  server.script(kExport, {Step::policy(kGoodExport, "\"v1\"")});
  auto r = sync_once(server, t.path);
  INFO(r.message);
  REQUIRE(r.kind == SyncResult::Kind::Updated);
  CHECK(r.message.find("ETag \"v1\"") != std::string::npos);
  CHECK(slurp(synced_policy_file(t.path)) == kGoodExport);
  struct stat st {};
  REQUIRE(::stat(synced_policy_file(t.path).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);

  auto seen = server.requests();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].path == "/api/v1/policies/export?format=json");
  CHECK(seen[0].headers.at("authorization") == "Bearer tok");
  CHECK(seen[0].headers.count("if-none-match") == 0);

  r = sync_once(server, t.path);
  CHECK(r.kind == SyncResult::Kind::NotModified);
  seen = server.requests();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].headers.at("if-none-match") == "\"v1\"");

  const SyncStatus s = read_sync_status(t.path, SyncSettings{});
  CHECK(s.has_policy);
  CHECK(s.etag == "\"v1\"");
  CHECK(s.source == server.url() + "/api/v1/policies/export?format=json");
  CHECK_FALSE(s.stale);
  CHECK(s.last_error.empty());
  const std::string text = describe_sync_status(s);
  CHECK(text.find("synced policy: " + s.source) != std::string::npos);
  CHECK(text.find("etag:        \"v1\"") != std::string::npos);
  CHECK(text.find("confirmed:   0s ago") != std::string::npos);

  server.script(kExport, {Step::policy(kSecondExport, "\"v2\"")});
  r = sync_once(server, t.path);
  CHECK(r.kind == SyncResult::Kind::Updated);
  CHECK(slurp(synced_policy_file(t.path)) == kSecondExport);
  CHECK(read_sync_status(t.path, SyncSettings{}).etag == "\"v2\"");
}

TEST_CASE("sync: a bad answer never replaces the good cache") {
  struct Bad {
    const char* name;
    Step step;
    const char* message_has;
  };
  const std::vector<Bad> bad = {
      {"401", Step::http(401), "rejected the API key (HTTP 401)"},
      {"403", Step::http(403), "rejected the API key (HTTP 403)"},
      {"500 until the deadline", Step::http(500), "policy download failed (HTTP 500)"},
      {"404", Step::http(404), "policy download failed (HTTP 404)"},
      {"garbage", Step::garbage(), "not a JSON object"},
      {"JSON array", Step::http(200, "[1,2]"), "not a JSON object"},
      {"cut mid-body", Step::reset_mid_body(), "policy download failed (connect"},
      {"invalid policy", Step::http(200, R"J({"version":"1.0","tools":[{"name":"Bash","conditions":[{"expression":"true","action":"explode"}]}]})J"),
       "the downloaded policy is invalid, the cached policy stays in force"},
      {"uncompilable expression", Step::http(200, R"J({"tools":[{"name":"Bash","conditions":[{"expression":"args.command.contains(","action":"deny"}]}]})J"),
       "the downloaded policy is invalid"},
      {"too large", Step::huge(8 << 20), "policy download failed (too_large"},
      {"hangs", Step::hang(), "policy download failed (timeout"},
  };
  for (const Bad& b : bad) {
    SUBCASE(b.name) {
      FakePreloop server;
      SyncDir t;
      server.script(kExport, {Step::policy(kGoodExport, "\"v1\"")});
      REQUIRE(sync_once(server, t.path).kind == SyncResult::Kind::Updated);
      const std::string meta_before = slurp(t.path / ".sync-meta.json");
      server.script(kExport, {b.step});
      const auto r = sync_once(server, t.path);
      INFO(r.message);
      CHECK(r.kind == SyncResult::Kind::Failed);
      CHECK(r.message.find(b.message_has) != std::string::npos);
      CHECK(r.message.find("tok") == std::string::npos);
      CHECK(slurp(synced_policy_file(t.path)) == kGoodExport);
      CHECK(slurp(t.path / ".sync-meta.json") == meta_before);
      const auto s = read_sync_status(t.path, SyncSettings{});
      CHECK(s.last_error == r.message);
      CHECK(describe_sync_status(s).find("last error:") != std::string::npos);
      // No temporary file is left behind.
      for (const auto& e : fs::directory_iterator(t.path))
        CHECK(e.path().filename().string().find(".tmp.") == std::string::npos);
      // The next good answer clears the error.
      server.script(kExport, {Step::policy(kSecondExport, "\"v2\"")});
      CHECK(sync_once(server, t.path).kind == SyncResult::Kind::Updated);
      CHECK(read_sync_status(t.path, SyncSettings{}).last_error.empty());
    }
  }
}

TEST_CASE("sync: only one runs at a time") {
  FakePreloop server;
  SyncDir t;
  server.script(kExport, {Step::policy(kGoodExport, "\"v1\"")});
  fs::create_directories(t.path);
  const int fd = ::open((t.path / ".sync.lock").c_str(), O_RDWR | O_CREAT, 0600);
  REQUIRE(::flock(fd, LOCK_EX) == 0);
  CHECK(sync_once(server, t.path).kind == SyncResult::Kind::Busy);
  CHECK(server.requests().empty());
  ::close(fd);
  CHECK(sync_once(server, t.path).kind == SyncResult::Kind::Updated);
}

TEST_CASE("sync: due only when stale and not attempted recently") {
  SyncDir t;
  const auto hour = std::chrono::seconds(3600);
  CHECK(sync_due(t.path, hour));                          // never synced
  CHECK_FALSE(sync_due(t.path, std::chrono::seconds(0)));  // disabled
  fs::create_directories(t.path);
  std::ofstream(t.path / ".sync-meta.json") << "{}";
  CHECK_FALSE(sync_due(t.path, hour));  // fresh
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(2);
  fs::last_write_time(t.path / ".sync-meta.json", old);
  CHECK(sync_due(t.path, hour));
  std::ofstream(t.path / ".sync-attempt") << "";
  CHECK_FALSE(sync_due(t.path, hour));  // an attempt is under way or failed just now
  fs::last_write_time(t.path / ".sync-attempt", fs::file_time_type::clock::now() - std::chrono::minutes(6));
  CHECK(sync_due(t.path, hour));  // offline retries every 5 minutes at most
  const auto s = read_sync_status(t.path, SyncSettings{});
  CHECK(s.stale);
}

TEST_CASE("sync: the background process is detached") {
  SyncDir t;
  fs::create_directories(t.path);
  const fs::path script = t.path.parent_path() / "fake-hook";
  const fs::path out = t.path.parent_path() / "out";
  std::ofstream(script) << "#!/bin/sh\n"
                           "echo \"args=$*\" > " << out.string() << ".tmp\n"
                           "echo \"pid=$$ sid=$(cut -d' ' -f6 /proc/$$/stat)\" >> " << out.string() << ".tmp\n"
                           "echo \"stdin=$(readlink /proc/$$/fd/0) stdout=$(readlink /proc/$$/fd/1)\" >> "
                        << out.string() << ".tmp\n"
                           "echo \"fds= $(ls /proc/$$/fd | tr '\\n' ' ')\" >> " << out.string() << ".tmp\n"
                           "mv " << out.string() << ".tmp " << out.string() << "\n";
  ::chmod(script.c_str(), 0700);
  const int leaked = 50;  // an inheritable descriptor that must not reach the child
  REQUIRE(::dup2(::open("/dev/null", O_RDONLY), leaked) == leaked);
  REQUIRE(spawn_background_sync(t.path, script.string()));
  ::close(leaked);
  for (int i = 0; i < 1000 && !fs::exists(out); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const std::string text = slurp(out);
  INFO(text);
  CHECK(text.find("args=sync --background") != std::string::npos);
  int pid = 0, sid = 0;
  REQUIRE(std::sscanf(text.c_str() + text.find("pid="), "pid=%d sid=%d", &pid, &sid) == 2);
  CHECK(pid == sid);  // its own session: Claude Code's process group signals do not reach it
  CHECK(text.find("stdin=/dev/null stdout=/dev/null") != std::string::npos);
  CHECK(text.find(" " + std::to_string(leaked) + " ") == std::string::npos);  // no inherited descriptors
  CHECK(fs::exists(t.path / ".sync-attempt"));
  CHECK_FALSE(sync_due(t.path, std::chrono::seconds(3600)));
}
