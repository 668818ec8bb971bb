// Doctor checks on the approval service (reachable, credential accepted) and
// on the age of the policy synced from it.
#include <ctime>

#include "approval/credentials.h"
#include "approval/http.h"
#include "approval/settings.h"
#include "approval/sync.h"
#include "config/paths.h"
#include "install/doctor.h"

namespace preloop::install {

namespace {

std::string age_text(std::int64_t seconds) {
  if (seconds < 120) return std::to_string(seconds) + " s";
  if (seconds < 7200) return std::to_string(seconds / 60) + " min";
  if (seconds < 172800) return std::to_string(seconds / 3600) + " h";
  return std::to_string(seconds / 86400) + " days";
}

// Asks the service for the policy export: a read-only request that needs the
// same bearer token as approvals, so it proves both reachability and the credential.
CheckResult probe_service(const approval::Credentials& creds, const approval::ApprovalSettings& settings) {
  std::string fallback = std::string(" (require_approval rules then answer '") + to_string(settings.on_unreachable) + "')";
  approval::HttpRequest req;
  req.url = creds.url + "/api/v1/policies/export?format=json";
  req.headers = {{"Accept", "application/json"}, {"Authorization", "Bearer " + creds.token}};
  req.timeout = std::chrono::seconds(10);
  req.connect_timeout = settings.connect_timeout;
  req.ca_bundle = settings.ca_bundle;
  req.proxy = settings.proxy;
  req.max_response_bytes = 4u << 20;
  approval::HttpResponse resp = approval::http_perform(req);
  if (resp.error != approval::HttpError::None)
    return {"approval.service", CheckStatus::Warn,
            "approval service " + creds.url + " is not reachable: " + to_string(resp.error) + ": " + resp.error_detail +
                fallback,
            "check the URL (" + creds.source + "), the network, proxy and CA settings"};
  if (resp.status == 401 || resp.status == 403)
    return {"approval.credential", CheckStatus::Fail,
            "approval service " + creds.url + " rejected the API key from " + creds.source + " (HTTP " +
                std::to_string(resp.status) + ")",
            "create a new API key in Preloop and store it in " + paths::credentials_file().string() +
                " (mode 600) or PRELOOP_API_KEY"};
  if (resp.status >= 500)
    return {"approval.service", CheckStatus::Warn,
            "approval service " + creds.url + " answered HTTP " + std::to_string(resp.status) + fallback,
            "retry later; check the service's status"};
  return {"approval.service", CheckStatus::Ok,
          "approval service " + creds.url + " reachable, API key from " + creds.source + " accepted (HTTP " +
              std::to_string(resp.status) + ")",
          ""};
}

}  // namespace

std::vector<CheckResult> check_approval(const DoctorContext& ctx) {
  if (!ctx.config) return {{"approval.service", CheckStatus::Skip, "config did not load; approvals not checked", ""}};
  approval::ApprovalSettings settings;
  approval::SyncSettings sync;
  try {
    settings = approval::parse_approval_settings(ctx.config->section("approval"));
    sync = approval::parse_sync_settings(ctx.config->section("sync"));
  } catch (const approval::SettingsError& e) {
    return {{"approval.settings", CheckStatus::Fail, e.what(), "correct the approval/sync section of the config"}};
  }
  if (!settings.enabled)
    return {{"approval.service", CheckStatus::Ok, "approvals disabled (approval.enabled: false)", ""}};

  std::vector<CheckResult> out;
  std::optional<approval::Credentials> creds;
  try {
    creds = approval::resolve_credentials(approval::default_credential_sources(settings));
  } catch (const approval::CredentialError& e) {
    out.push_back({"approval.credential", CheckStatus::Fail, e.what(),
                   "fix the credentials file (owner-only, mode 600) or set PRELOOP_API_KEY"});
  }
  if (creds) out.push_back(probe_service(*creds, settings));
  else if (out.empty())
    out.push_back({"approval.service", CheckStatus::Ok,
                   "no approval service configured: require_approval rules answer 'ask' in Claude Code", ""});

  approval::SyncStatus status = approval::read_sync_status(paths::synced_dir(), sync);
  std::int64_t now = std::time(nullptr);
  if (status.has_policy) {
    std::int64_t age = now - std::max(status.checked_at, status.fetched_at);
    if (status.stale)
      out.push_back({"sync.age", CheckStatus::Warn,
                     "synced policy last confirmed " + age_text(age) + " ago (interval " +
                         age_text(status.interval_seconds) + ")" +
                         (status.last_error.empty() ? "" : "; last error: " + status.last_error),
                     "run `preloop-hook sync` and check its error"});
    else
      out.push_back({"sync.age", CheckStatus::Ok, "synced policy confirmed " + age_text(age) + " ago", ""});
  } else if (creds) {
    out.push_back({"sync.age", CheckStatus::Warn, "the account's policy has never been synced",
                   "run `preloop-hook sync`"});
  }
  return out;
}

}  // namespace preloop::install
