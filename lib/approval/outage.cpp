#include "approval/outage.h"

#include <fcntl.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "config/paths.h"
#include "config/safe_file.h"

namespace preloop::approval {
namespace {

namespace fs = std::filesystem;

constexpr FileRule kOutageState{"approval state files", 64u << 10, false, true};

long long epoch_seconds(SystemClock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

void write_atomically(const fs::path& file, const std::string& text) {
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  const fs::path tmp = file.string() + ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) ::unlink(tmp.c_str());
}

}  // namespace

fs::path outage_file() { return paths::state_home() / "preloop-hook" / "approval-outage"; }

bool is_outage(const ApprovalOutcome& o) {
  if (o.status != Status::Unreachable) return false;
  const std::string& c = o.failure_class;
  // A single attempt cut by the deadline may be a long human wait, not an outage.
  return c == "connect" || c == "tls" || c == "http_5xx" || c == "http_429" || (c == "deadline" && o.attempts > 1);
}

std::optional<ApprovalOutcome> remembered_outage(const fs::path& file, const std::string& url,
                                                 std::chrono::seconds window, SystemClock::time_point now) {
  if (window.count() <= 0) return std::nullopt;
  std::optional<FileContent> content;
  try {
    content = read_file_if_present(file, kOutageState);
  } catch (const FileError&) {
    return std::nullopt;  // not ours to trust: ask the service
  }
  if (!content) return std::nullopt;
  const auto j = nlohmann::json::parse(content->text, nullptr, false);
  if (!j.is_object() || j.value("url", "") != url || !j.contains("at") || !j["at"].is_number_integer())
    return std::nullopt;
  const long long age = epoch_seconds(now) - j["at"].get<long long>();
  if (age < 0 || age >= window.count()) return std::nullopt;
  ApprovalOutcome o;
  o.status = Status::Unreachable;
  o.failure_class = "outage_remembered";
  o.reason = "approval service unreachable " + std::to_string(age) + " s ago (" + j.value("reason", "") +
             "); not asked again for " + std::to_string(window.count()) + " s (approval.outage_window_seconds)";
  return o;
}

void note_outcome(const fs::path& file, const std::string& url, const ApprovalOutcome& o, SystemClock::time_point now) {
  if (is_outage(o)) {
    const nlohmann::json j = {{"url", url}, {"at", epoch_seconds(now)}, {"reason", o.failure_class}};
    write_atomically(file, j.dump() + "\n");
  } else if (o.status != Status::Unreachable || o.failure_class == "bad_response") {
    ::unlink(file.c_str());  // the service answered
  }
}

}  // namespace preloop::approval
