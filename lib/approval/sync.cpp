#include "approval/sync.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "approval/retry.h"
#include "config/safe_file.h"
#include "process/detached.h"
#include "protocol/json_depth.h"

namespace preloop::approval {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kMeta = ".sync-meta.json";
constexpr const char* kError = ".sync-error";
constexpr const char* kAttempt = ".sync-attempt";
constexpr const char* kLock = ".sync.lock";
constexpr std::chrono::seconds kRetryOffline{300};

std::int64_t now_unix() { return std::int64_t(std::time(nullptr)); }

std::string errno_text() { return std::error_code(errno, std::generic_category()).message(); }

void ensure_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
}

// Writes text to dir/name atomically: a temporary file, fsync, rename, fsync of dir.
void write_atomic(const fs::path& dir, const std::string& name, const std::string& text) {
  const fs::path tmp = dir / (name + ".tmp." + std::to_string(::getpid()));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp.string() + ": " + errno_text());
  size_t off = 0;
  while (off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = errno_text();
      ::close(fd);
      ::unlink(tmp.c_str());
      throw std::runtime_error("cannot write " + tmp.string() + ": " + why);
    }
    off += size_t(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot flush " + tmp.string() + ": " + errno_text());
  }
  if (::rename(tmp.c_str(), (dir / name).c_str()) != 0) {
    const std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot replace " + (dir / name).string() + ": " + why);
  }
  if (const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

// The sync's own small state files; anything odd (absent, a link, a FIFO, too
// big, nested too deep, not JSON) reads as no state.
json read_json(const fs::path& file) {
  try {
    const std::string text = read_file_safely(file, file_rules::kSyncState).text;
    if (protocol::json_too_deep(text)) return json();
    return json::parse(text, nullptr, false);
  } catch (const FileError&) {
    return json();
  }
}

std::int64_t mtime_unix(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 ? std::int64_t(st.st_mtime) : -1;
}

void record_error(const fs::path& dir, const std::string& message) {
  try {
    ensure_dir(dir);
    write_atomic(dir, kError, json{{"at", now_unix()}, {"message", message}}.dump());
  } catch (const std::exception&) {
    // The error is still reported to the caller; the record is best effort.
  }
}

std::string human_age(std::int64_t seconds) {
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 7200) return std::to_string(seconds / 60) + "m";
  if (seconds < 172800) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

// Holds the sync lock for its lifetime; locked() is false when another sync holds it.
class SyncLock {
 public:
  explicit SyncLock(const fs::path& dir) {
    fd_ = ::open((dir / kLock).c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    locked_ = fd_ >= 0 && ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
  }
  ~SyncLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  SyncLock(const SyncLock&) = delete;
  SyncLock& operator=(const SyncLock&) = delete;
  bool locked() const { return locked_; }

 private:
  int fd_ = -1;
  bool locked_ = false;
};

SyncResult failed(const fs::path& dir, std::string message, long status = 0) {
  record_error(dir, message);
  return {SyncResult::Kind::Failed, std::move(message), status};
}

}  // namespace

fs::path synced_policy_file(const fs::path& dir) { return dir / "policy.json"; }

SyncResult sync_policy(const Credentials& creds, const ApprovalSettings& settings, const SyncSettings& sync,
                       const fs::path& dir, const PolicyValidator& validate,
                       std::chrono::steady_clock::time_point deadline) {
  try {
    ensure_dir(dir);
  } catch (const std::exception& e) {
    return {SyncResult::Kind::Failed, e.what(), 0};
  }
  SyncLock lock(dir);
  if (!lock.locked()) return {SyncResult::Kind::Busy, "another policy sync is running", 0};

  const json meta = read_json(dir / kMeta);
  const bool have_policy = fs::exists(synced_policy_file(dir));
  HttpRequest req;
  req.url = creds.url + "/api/v1/policies/export?format=json";
  req.headers = {{"Accept", "application/json"}, {"Authorization", "Bearer " + creds.token}};
  if (have_policy && meta.is_object() && meta.value("etag", "") != "" && meta.value("source", "") == req.url)
    req.headers.emplace_back("If-None-Match", meta.value("etag", ""));
  req.ca_bundle = settings.ca_bundle;
  req.proxy = settings.proxy;
  req.connect_timeout = settings.connect_timeout;
  req.max_response_bytes = sync.max_bytes;
  int attempts = 0;
  const HttpResponse resp = perform_with_retry(req, settings, deadline, &attempts);

  if (resp.error != HttpError::None)
    return failed(dir, std::string("policy download failed (") + to_string(resp.error) + ": " + resp.error_detail + ")");
  if (resp.status == 401 || resp.status == 403)
    return failed(dir,
                  "the service rejected the API key (HTTP " + std::to_string(resp.status) + "): the credential from " +
                      creds.source + " is wrong or expired",
                  resp.status);

  json new_meta = meta.is_object() ? meta : json::object();
  new_meta["source"] = req.url;
  new_meta["checked_at"] = now_unix();
  SyncResult result;
  result.http_status = resp.status;
  if (resp.status == 304 && have_policy) {
    result.kind = SyncResult::Kind::NotModified;
    result.message = "policy unchanged (ETag " + meta.value("etag", "") + ")";
  } else if (resp.status != 200) {
    return failed(dir, "policy download failed (HTTP " + std::to_string(resp.status) + ")", resp.status);
  } else {
    if (protocol::json_too_deep(resp.body))
      return failed(dir, "the policy export nests JSON deeper than " + std::to_string(protocol::kMaxJsonDepth) +
                             " levels; the cached policy stays in force", resp.status);
    const json doc = json::parse(resp.body, nullptr, false);
    if (doc.is_discarded() || !doc.is_object())
      return failed(dir, "the policy export is not a JSON object; the cached policy stays in force", resp.status);
    std::string error;
    int warnings = 0;
    if (!validate(resp.body, req.url, &error, &warnings))
      return failed(dir, "the downloaded policy is invalid, the cached policy stays in force: " + error, resp.status);
    try {
      write_atomic(dir, "policy.json", resp.body);
    } catch (const std::exception& e) {
      return failed(dir, e.what(), resp.status);
    }
    new_meta["etag"] = resp.etag;
    new_meta["fetched_at"] = now_unix();
    new_meta["warnings"] = warnings;
    new_meta["bytes"] = resp.body.size();
    result.kind = SyncResult::Kind::Updated;
    result.message = "policy updated (" + std::to_string(resp.body.size()) + " bytes" +
                     (resp.etag.empty() ? "" : ", ETag " + resp.etag) +
                     (warnings ? ", " + std::to_string(warnings) + " warnings" : "") + ")";
  }
  try {
    write_atomic(dir, kMeta, new_meta.dump(2) + "\n");
  } catch (const std::exception& e) {
    return failed(dir, e.what(), resp.status);
  }
  ::unlink((dir / kError).c_str());
  return result;
}

SyncStatus read_sync_status(const fs::path& dir, const SyncSettings& sync) {
  SyncStatus s;
  s.interval_seconds = sync.interval.count();
  s.has_policy = fs::exists(synced_policy_file(dir));
  const json meta = read_json(dir / kMeta);
  if (meta.is_object()) {
    s.source = meta.value("source", "");
    s.etag = meta.value("etag", "");
    s.fetched_at = meta.value("fetched_at", std::int64_t(0));
    s.checked_at = meta.value("checked_at", std::int64_t(0));
    s.warnings = meta.value("warnings", 0);
  }
  const json err = read_json(dir / kError);
  if (err.is_object()) {
    s.last_error = err.value("message", "");
    s.last_error_at = err.value("at", std::int64_t(0));
  }
  s.stale = !s.has_policy || s.checked_at == 0 ||
            (s.interval_seconds > 0 && now_unix() - s.checked_at > s.interval_seconds);
  return s;
}

std::string describe_sync_status(const SyncStatus& s) {
  std::ostringstream out;
  const std::int64_t now = now_unix();
  if (!s.has_policy) {
    out << "synced policy: none";
    if (s.last_error.empty()) out << " (never synced)\n";
    else out << "\n";
  } else {
    out << "synced policy: " << s.source << "\n";
    out << "  downloaded:  " << human_age(now - s.fetched_at) << " ago\n";
    out << "  confirmed:   " << human_age(now - s.checked_at) << " ago"
        << (s.stale ? " (STALE: older than the sync interval; the last good policy stays in force)" : "") << "\n";
    out << "  etag:        " << (s.etag.empty() ? "(none)" : s.etag) << "\n";
    if (s.warnings) out << "  warnings:    " << s.warnings << " (run `preloop-hook rules validate`)\n";
  }
  out << "  interval:    " << (s.interval_seconds > 0 ? human_age(s.interval_seconds) : std::string("off")) << "\n";
  if (!s.last_error.empty())
    out << "  last error:  " << human_age(now - s.last_error_at) << " ago: " << s.last_error << "\n";
  return out.str();
}

bool sync_due(const fs::path& dir, std::chrono::seconds interval) {
  if (interval.count() <= 0) return false;
  const std::int64_t now = now_unix();
  const std::int64_t confirmed = mtime_unix(dir / kMeta);
  if (confirmed >= 0 && now - confirmed < interval.count()) return false;
  const std::int64_t attempted = mtime_unix(dir / kAttempt);
  return attempted < 0 || now - attempted >= std::min(interval, kRetryOffline).count();
}

bool spawn_background_sync(const fs::path& dir, const std::string& exe) {
  try {
    ensure_dir(dir);
  } catch (const std::exception&) {
    return false;
  }
  const int mark =
      ::open((dir / kAttempt).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (mark < 0) return false;
  ::futimens(mark, nullptr);
  ::close(mark);
  return process::spawn_detached(exe, {"sync", "--background"});
}

}  // namespace preloop::approval
