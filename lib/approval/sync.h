// Policy sync: the account's policy from Preloop's export,
//   GET {url}/api/v1/policies/export?format=json   (If-None-Match: <etag>)
// validated completely before it atomically replaces the synced layer.
//
// Files in the synced directory (paths::synced_dir()):
//   policy.json       the last good export, exactly as received (the synced layer)
//   .sync-meta.json   source URL, ETag, fetch and check times; written on success only,
//                     so its mtime is the time the policy was last confirmed current
//   .sync-error       the last failure (time and message); removed on success
//   .sync-attempt     touched when a background sync is started (rate limit)
//   .sync.lock        held by the running sync (flock)
// A failed, partial, oversized, unauthenticated or invalid answer never
// replaces policy.json.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "approval/credentials.h"
#include "approval/settings.h"

namespace preloop::approval {

// The synced layer's policy file within dir.
std::filesystem::path synced_policy_file(const std::filesystem::path& dir);

// Checks the text of a downloaded document completely. Returns false with a
// message on an error; counts warnings.
using PolicyValidator = std::function<bool(const std::string& text, const std::string& source_name,
                                           std::string* error, int* warnings)>;

struct SyncResult {
  enum class Kind { Updated, NotModified, Busy, Failed } kind = Kind::Failed;
  std::string message;   // for the user; never contains the token
  long http_status = 0;
};

// One sync: download, validate, atomically replace. Never throws for network
// or validation problems (Kind::Failed); records failures in .sync-error.
SyncResult sync_policy(const Credentials& creds, const ApprovalSettings& settings, const SyncSettings& sync,
                       const std::filesystem::path& dir, const PolicyValidator& validate,
                       std::chrono::steady_clock::time_point deadline);

struct SyncStatus {
  bool has_policy = false;
  std::string source;           // URL the policy came from
  std::string etag;
  std::int64_t fetched_at = 0;  // unix seconds of the last download (0 = never)
  std::int64_t checked_at = 0;  // unix seconds it was last confirmed current
  int warnings = 0;
  std::string last_error;       // the last failure since the last success
  std::int64_t last_error_at = 0;
  std::int64_t interval_seconds = 0;
  bool stale = false;           // older than the interval (or never synced)
};

SyncStatus read_sync_status(const std::filesystem::path& dir, const SyncSettings& sync);
// Lines for `sync --status` and `doctor`: source, age, ETag, staleness, last error.
std::string describe_sync_status(const SyncStatus& status);

// Cheap (two stat calls): is the layer older than the interval, with no sync
// attempted recently? Always false when interval is 0.
bool sync_due(const std::filesystem::path& dir, std::chrono::seconds interval);

// Starts `exe sync --background` detached (own session, stdio on /dev/null,
// no inherited descriptors) and marks the attempt. Never waits for it.
bool spawn_background_sync(const std::filesystem::path& dir, const std::string& exe);

}  // namespace preloop::approval
