// Doctor checks that look at policies, the audit store and the approval
// service, each against files and servers made in a temporary directory.
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include <doctest/doctest.h>
#include <httplib.h>

#include "audit/record.h"
#include "audit/store.h"
#include "install/doctor.h"

namespace fs = std::filesystem;
using namespace preloop::install;

namespace {

struct Env {
  fs::path dir;
  Env() {
    std::string tmpl = (fs::temp_directory_path() / "doctor_checks.XXXXXX").string();
    dir = ::mkdtemp(tmpl.data());
    ::setenv("XDG_CONFIG_HOME", (dir / "config").c_str(), 1);
    ::setenv("XDG_DATA_HOME", (dir / "data").c_str(), 1);
    ::setenv("HOME", (dir / "home").c_str(), 1);
    ::setenv("PRELOOP_HOOK_MANAGED_DIR", (dir / "managed").c_str(), 1);
    ::unsetenv("PRELOOP_URL");
    ::unsetenv("PRELOOP_API_KEY");
    ::unsetenv("PRELOOP_HOOK_AUDIT_DB");
    ::unsetenv("PRELOOP_HOOK_CONFIG");
  }
  ~Env() {
    fs::remove_all(dir);
    ::unsetenv("PRELOOP_URL");
    ::unsetenv("PRELOOP_API_KEY");
  }
  void write(const fs::path& rel, const std::string& text) const {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel) << text;
  }
  DoctorContext context() const {
    DoctorContext ctx;
    ctx.claude.user_dir = dir / "home" / ".claude";
    ctx.claude.project_dir = dir / "project";
    ctx.claude.managed_dir = dir / "managed-claude";
    ctx.config = preloop::load_config();
    return ctx;
  }
};

const CheckResult* find(const std::vector<CheckResult>& results, const std::string& id, CheckStatus status) {
  for (const auto& r : results)
    if (r.id == id && r.status == status) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("policies: an invalid file fails with its location, long approval waits warn") {
  Env env;
  env.write("config/preloop-hook/config.yaml", "profile: off\nhook_timeout_seconds: 60\n");
  env.write("config/preloop-hook/rules/ok.yaml",
            "approval_workflows:\n  - name: slow\n    timeout_seconds: 600\n"
            "tools:\n  - name: bash\n    approval_workflow: slow\n");
  auto results = check_policies(env.context());
  CHECK(find(results, "policy.valid", CheckStatus::Ok));
  auto* wait = find(results, "approval.timeout", CheckStatus::Warn);
  REQUIRE(wait);
  CHECK(wait->message.find("'slow'") != std::string::npos);

  env.write("config/preloop-hook/rules/broken.yaml", "tools:\n  - name: [bash\n");
  results = check_policies(env.context());
  auto* bad = find(results, "policy.valid", CheckStatus::Fail);
  REQUIRE(bad);
  CHECK(bad->message.find("broken.yaml:") != std::string::npos);
}

TEST_CASE("audit: a store that does not exist yet, an intact chain, a tampered one") {
  Env env;
  env.write("config/preloop-hook/config.yaml", "profile: off\n");
  auto results = check_audit(env.context());
  CHECK(find(results, "audit.store", CheckStatus::Ok));

  fs::path db = env.dir / "data" / "preloop-hook" / "audit.db";
  fs::create_directories(db.parent_path());
  {
    auto store = preloop::audit::Store::open(db);
    for (int i = 0; i < 3; ++i) {
      preloop::audit::Record r;
      r.hook_event = "PreToolUse";
      r.tool = "Bash";
      r.decision = "deny";
      r.reason = "test " + std::to_string(i);
      store.append(r);
    }
  }
  results = check_audit(env.context());
  auto* chain = find(results, "audit.chain", CheckStatus::Ok);
  REQUIRE(chain);
  CHECK(chain->message.find("3 record(s)") != std::string::npos);

  sqlite3* h = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &h) == SQLITE_OK);
  REQUIRE(sqlite3_exec(h, "DROP TRIGGER events_append_only; UPDATE events SET decision='allow' WHERE seq=2;",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(h);
  results = check_audit(env.context());
  auto* broken = find(results, "audit.chain", CheckStatus::Fail);
  REQUIRE(broken);
  CHECK(broken->message.find("record 2") != std::string::npos);
}

TEST_CASE("audit: loose modes are tightened where the files are ours, a loose directory is reported") {
  Env env;
  env.write("config/preloop-hook/config.yaml", "profile: off\n");
  fs::path db = env.dir / "data" / "preloop-hook" / "audit.db";
  fs::create_directories(db.parent_path());
  { auto store = preloop::audit::Store::open(db); }
  for (const char* suffix : {"", "-wal", "-shm"}) ::chmod(fs::path(db).concat(suffix).c_str(), 0644);
  ::chmod(db.parent_path().c_str(), 0755);
  auto results = check_audit(env.context());
  auto* dir = find(results, "audit.modes", CheckStatus::Warn);
  REQUIRE(dir);
  CHECK(dir->message.find("is mode 0755") != std::string::npos);
  CHECK(dir->fix == "chmod 700 " + db.parent_path().string());
  bool fixed = false;
  for (const auto& r : results) fixed |= r.message == fs::path(db).concat("-wal").string() + " was mode 0644; made owner-only (0600)";
  CHECK(fixed);
  struct stat st {};
  REQUIRE(::stat(fs::path(db).concat("-shm").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("approval: no service, a rejected key, an unreachable service") {
  Env env;
  env.write("config/preloop-hook/config.yaml", "profile: off\n");
  auto results = check_approval(env.context());
  CHECK(find(results, "approval.service", CheckStatus::Ok));

  httplib::Server server;
  std::string seen_auth;
  server.Get("/api/v1/policies/export", [&](const httplib::Request& req, httplib::Response& res) {
    seen_auth = req.get_header_value("Authorization");
    if (seen_auth == "Bearer good-key") res.set_content(R"({"version":"1.0","tools":[]})", "application/json");
    else res.status = 401;
  });
  int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  std::string url = "http://127.0.0.1:" + std::to_string(port);
  ::setenv("PRELOOP_URL", url.c_str(), 1);

  ::setenv("PRELOOP_API_KEY", "bad-key", 1);
  results = check_approval(env.context());
  auto* rejected = find(results, "approval.credential", CheckStatus::Fail);
  REQUIRE(rejected);
  CHECK(rejected->message.find("bad-key") == std::string::npos);  // never print the credential
  CHECK(seen_auth == "Bearer bad-key");

  ::setenv("PRELOOP_API_KEY", "good-key", 1);
  results = check_approval(env.context());
  CHECK(find(results, "approval.service", CheckStatus::Ok));
  CHECK(find(results, "sync.age", CheckStatus::Warn));  // never synced

  server.stop();
  thread.join();
  results = check_approval(env.context());
  CHECK(find(results, "approval.service", CheckStatus::Warn));
}
