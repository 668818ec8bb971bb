// `preloop-hook sync`, `sync --status` and the hook's automatic background
// refresh, through the real binary against the scripted server.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "approval/fake_preloop.h"
#include "approval/run_hook.h"

using namespace preloop::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* kExport = "/api/v1/policies/export";
const char* const kExportBody = R"J({"version": "1.0",
  "approval_workflows": [{"name": "manual-approval", "timeout_seconds": 600}],
  "tools": [{"name": "Bash", "conditions": [{"id": "synced.push", "expression": "args.command.contains('git push')",
    "action": "require_approval", "approval_workflow": "manual-approval"}]}]})J";

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("binary: sync, status, and the synced layer in force") {
  if (!hook_binary_available()) return;
  FakePreloop server;
  server.script(kExport, {Step::policy(kExportBody, "\"e1\"")});
  HookHome home;
  home.write_config("profile: off\nsync:\n  interval: 1h\n");
  const auto env = home.env({{"PRELOOP_URL", server.url()}, {"PRELOOP_API_KEY", "tok-sync-77"}});

  auto r = run_process({hook_binary(), "sync"}, "", env, 30000);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("policy updated") != std::string::npos);
  CHECK(slurp(home.synced_dir() / "policy.json") == kExportBody);

  r = run_process({hook_binary(), "sync"}, "", env, 30000);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("policy unchanged (ETag \"e1\")") != std::string::npos);

  r = run_process({hook_binary(), "sync", "--status"}, "", env, 30000);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("synced policy: " + server.url() + "/api/v1/policies/export?format=json") != std::string::npos);
  CHECK(r.out.find("etag:        \"e1\"") != std::string::npos);
  CHECK(r.out.find("service: " + server.url() + " (credentials: environment (PRELOOP_API_KEY))") != std::string::npos);
  CHECK(r.out.find("tok-sync-77") == std::string::npos);

  // A 401 fails loudly and keeps the cache.
  server.script(kExport, {Step::http(401)});
  home.write_config("profile: off\n");
  std::filesystem::remove(home.synced_dir() / ".sync-meta.json");  // force a full download
  r = run_process({hook_binary(), "sync"}, "", env, 30000);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("rejected the API key (HTTP 401)") != std::string::npos);
  CHECK(slurp(home.synced_dir() / "policy.json") == kExportBody);

  // The synced rule decides (no service for the approval itself here).
  const auto hook = run_process({hook_binary(), "hook"}, bash_event("git push"), home.env(), 30000);
  CHECK(hook.exit_code == 0);
  CHECK(hook.out.find("\"ask\"") != std::string::npos);
  CHECK(hook.out.find("synced.push") != std::string::npos);
}

TEST_CASE("binary: a stale synced layer is refreshed in the background") {
  if (!hook_binary_available()) return;
  FakePreloop server;
  server.script(kExport, {Step::policy(kExportBody, "\"e2\"")});
  HookHome home;
  home.write_config("profile: off\nsync:\n  interval: 1h\n");
  const auto env = home.env({{"PRELOOP_URL", server.url()}, {"PRELOOP_API_KEY", "tok"}});
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_process({hook_binary(), "hook"}, bash_event("ls"), env, 30000);
  const auto hook_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  CHECK(r.exit_code == 0);
  CHECK(hook_ms < 1000);  // the decision never waits for the download
  for (int i = 0; i < 300 && !fs::exists(home.synced_dir() / ".sync-meta.json"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(slurp(home.synced_dir() / "policy.json") == kExportBody);
  // Fresh now: the next calls start no sync.
  for (int i = 0; i < 3; ++i) run_process({hook_binary(), "hook"}, bash_event("ls"), env, 30000);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(server.requests().size() == 1);
}
