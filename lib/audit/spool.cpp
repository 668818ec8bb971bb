#include "audit/spool.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/safe_file.h"
#include "protocol/json_depth.h"
#include "protocol/json_fast.h"

namespace preloop::audit {
namespace fs = std::filesystem;
namespace {

std::runtime_error sys_error(const fs::path& p, const std::string& what) {
  return std::runtime_error(what + " " + p.string() + ": " + std::strerror(errno));
}

std::string random_id() {
  unsigned char b[16];
  if (getrandom(b, sizeof b, 0) != ssize_t(sizeof b)) throw std::runtime_error("no randomness for a spool id");
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) { s.push_back(hex[c >> 4]); s.push_back(hex[c & 15]); }
  return s;
}

fs::path sibling(const fs::path& spool, const char* suffix) { return fs::path(spool).concat(suffix); }

std::size_t count_lines(const fs::path& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return 0;
  }
  std::size_t n = 0;
  char buf[65536];
  for (ssize_t r; (r = ::read(fd, buf, sizeof buf)) > 0;)
    for (ssize_t i = 0; i < r; ++i) n += buf[i] == '\n';
  ::close(fd);
  return n;
}

}  // namespace

std::size_t spool_append(const fs::path& spool, Record& r, Sync sync) {
  if (r.spool_id.empty()) r.spool_id = random_id();
  std::string line = to_json_line(r);
  line.push_back('\n');
  for (int attempt = 0; attempt < 8; ++attempt) {
    // O_NONBLOCK: a FIFO planted in its place fails here instead of blocking.
    int fd = ::open(spool.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0) throw sys_error(spool, "cannot open the audit spool");
    if (::flock(fd, LOCK_SH) != 0) {
      ::close(fd);
      throw sys_error(spool, "cannot lock the audit spool");
    }
    // A concurrent fold may have renamed the file away before we locked it.
    struct stat by_fd{}, by_path{};
    if (::fstat(fd, &by_fd) != 0 || ::stat(spool.c_str(), &by_path) != 0 || by_fd.st_ino != by_path.st_ino ||
        by_fd.st_dev != by_path.st_dev) {
      ::close(fd);
      continue;
    }
    if (!S_ISREG(by_fd.st_mode)) {
      ::close(fd);
      throw std::runtime_error("the audit spool " + spool.string() + " is a " + file_type_name(by_fd.st_mode) +
                               ", not a regular file");
    }
    if (by_fd.st_mode & 077) ::fchmod(fd, 0600);  // owner-only, whoever created it
    ssize_t n = ::write(fd, line.data(), line.size());
    int saved = errno;
    bool kept = n == ssize_t(line.size()) && (sync == Sync::None || ::fdatasync(fd) == 0);
    if (!kept && n == ssize_t(line.size())) saved = errno;
    struct stat after{};
    bool sized = kept && ::fstat(fd, &after) == 0;
    ::close(fd);
    if (!kept) {
      errno = n >= 0 && n != ssize_t(line.size()) && saved == 0 ? ENOSPC : saved;
      throw sys_error(spool, "cannot write the audit spool");
    }
    return sized ? std::size_t(after.st_size) : line.size();
  }
  errno = EAGAIN;
  throw sys_error(spool, "the audit spool kept moving");
}

SpoolBatch::SpoolBatch(const fs::path& spool) : spool_(spool), file_(sibling(spool, ".folding")) {
  constexpr int kFlags = O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC;
  fd_ = ::open(file_.c_str(), kFlags);
  if (fd_ < 0) {
    if (errno != ENOENT) throw sys_error(file_, "cannot open");
    if (::rename(spool.c_str(), file_.c_str()) != 0) {
      if (errno == ENOENT) return;
      throw sys_error(spool, "cannot take the audit spool");
    }
    fd_ = ::open(file_.c_str(), kFlags);
    if (fd_ < 0) throw sys_error(file_, "cannot open");
  }
  // Waits for appenders that locked the file before it was renamed.
  if (::flock(fd_, LOCK_EX) != 0) throw sys_error(file_, "cannot lock");
  std::string text;
  try {
    text = read_fd_safely(fd_, file_, file_rules::kJournal).text;
  } catch (const FileError& e) {
    throw std::runtime_error(std::string("the audit spool cannot be folded: ") + e.what());
  }
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line.empty()) continue;
    try {
      auto fast = protocol::parse_json_fast(line);  // big records: a byte loop, not nlohmann's lexer
      if (!fast && protocol::json_too_deep(line)) throw std::invalid_argument("nested too deep");
      Record r = from_json(fast ? *fast : nlohmann::json::parse(line));
      if (r.spool_id.empty() || r.ts.empty() || r.hook_event.empty()) throw std::invalid_argument("incomplete");
      records.push_back(std::move(r));
    } catch (const std::exception&) {
      rejected.push_back(line);
    }
  }
}

void SpoolBatch::done() {
  if (fd_ < 0) return;
  if (!rejected.empty()) {
    fs::path rej = sibling(spool_, ".rejected");
    int fd = ::open(rej.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0) throw sys_error(rej, "cannot keep rejected spool lines in");
    std::string all;
    for (const auto& l : rejected) all.append(l).push_back('\n');
    bool ok = ::write(fd, all.data(), all.size()) == ssize_t(all.size());
    ::close(fd);
    if (!ok) throw sys_error(rej, "cannot keep rejected spool lines in");
  }
  ::unlink(file_.c_str());
}

SpoolBatch::~SpoolBatch() {
  if (fd_ >= 0) ::close(fd_);
}

SpoolStatus spool_status(const fs::path& spool) {
  return {count_lines(spool) + count_lines(sibling(spool, ".folding")), count_lines(sibling(spool, ".rejected"))};
}

}  // namespace preloop::audit
