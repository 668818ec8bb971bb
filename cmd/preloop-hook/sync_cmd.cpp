// preloop-hook sync [--status]: pull the account's policy into the synced layer.
#include <iostream>

#include "approval/credentials.h"
#include "approval/policy_check.h"
#include "approval/sync.h"
#include "commands.h"
#include "config/config.h"
#include "config/paths.h"

namespace preloop::cmd {
namespace {

struct SyncArgs {
  bool status = false;
  bool background = false;
  int timeout_seconds = 30;
};

int run_sync(const SyncArgs& a) {
  Config config;
  approval::ApprovalSettings settings;
  approval::SyncSettings sync;
  try {
    config = load_config();
    settings = approval::parse_approval_settings(config.section("approval"));
    sync = approval::parse_sync_settings(config.section("sync"));
  } catch (const std::exception& e) {
    fail(1, e.what());
  }
  const auto dir = paths::synced_dir();
  std::optional<approval::Credentials> creds;
  std::string cred_error;
  try {
    if (settings.enabled) creds = approval::resolve_credentials(approval::default_credential_sources(settings));
  } catch (const std::exception& e) {
    cred_error = e.what();
  }
  if (a.status) {
    std::cout << approval::describe_sync_status(approval::read_sync_status(dir, sync));
    if (creds) std::cout << "service: " << creds->url << " (credentials: " << creds->source << ")\n";
    else std::cout << "service: " << (cred_error.empty() ? "not configured" : cred_error) << "\n";
    return 0;
  }
  if (!creds) {
    if (a.background) return 1;
    fail(1, !cred_error.empty() ? cred_error
                                : "no approval service configured: set PRELOOP_URL and PRELOOP_API_KEY, or write " +
                                      paths::credentials_file().string() + " (url:, api_key:; mode 600)");
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(a.timeout_seconds);
  const auto r = approval::sync_policy(*creds, settings, sync, dir, approval::validate_policy_text, deadline);
  if (a.background) return r.kind == approval::SyncResult::Kind::Failed ? 1 : 0;
  if (r.kind == approval::SyncResult::Kind::Failed) fail(1, r.message);
  std::cout << r.message << "\n";
  return 0;
}

}  // namespace

void add_sync_command(CLI::App& app) {
  auto args = std::make_shared<SyncArgs>();
  auto* cmd = app.add_subcommand("sync", "Download the account's policy from the approval service (synced layer)");
  cmd->add_flag("--status", args->status, "Show the synced policy's source, age, ETag and last error");
  cmd->add_flag("--background", args->background, "Quiet mode used by the hook's automatic refresh")->group("");
  cmd->add_option("--timeout", args->timeout_seconds, "Seconds to wait for the service")
      ->check(CLI::Range(1, 600));
  cmd->callback([args] {
    const int rc = run_sync(*args);
    if (rc != 0) throw CLI::RuntimeError(rc);
  });
}

}  // namespace preloop::cmd
