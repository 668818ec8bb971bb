#include "forward/state.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "config/safe_file.h"

namespace preloop::forward {
namespace fs = std::filesystem;
namespace {

constexpr FileRule kStateFile{"forwarding state files", 64u << 10, false, true};

fs::path state_file(const fs::path& db, const std::string& name) { return state_dir(db) / (name + ".json"); }

void ensure_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);  // the store's directory, before the first record (umask 077)
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create " + dir.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw std::runtime_error(dir.string() + " is not a directory");
  if (st.st_uid == ::geteuid() && (st.st_mode & 077)) ::chmod(dir.c_str(), 0700);
}

SinkState parse(const std::string& text, const fs::path& file) {
  SinkState s;
  try {
    const auto j = nlohmann::json::parse(text);
    s.cursor_seq = j.at("cursor_seq").get<std::int64_t>();
    s.cursor_hash = j.value("cursor_hash", "");
    s.last_success = j.value("last_success", "");
    s.last_attempt = j.value("last_attempt", "");
    s.last_error = j.value("last_error", "");
    s.backlog = j.value("backlog", std::int64_t(0));
    s.behind = j.value("behind", false);
    s.failures = j.value("failures", std::int64_t(0));
    s.next_attempt_ms = j.value("next_attempt_ms", std::int64_t(0));
    s.delivered = j.value("delivered", std::int64_t(0));
    s.pruned_unsent = j.value("pruned_unsent", std::int64_t(0));
  } catch (const std::exception& e) {
    throw std::runtime_error("forwarding state " + file.string() + " is damaged (" + e.what() + ")");
  }
  if (s.cursor_seq < 0) throw std::runtime_error("forwarding state " + file.string() + " has a negative cursor");
  return s;
}

}  // namespace

fs::path state_dir(const fs::path& db) { return fs::path(db).concat(".forward"); }

std::optional<SinkState> read_state(const fs::path& db, const std::string& name) {
  const fs::path file = state_file(db, name);
  std::optional<FileContent> c;
  try {
    c = read_file_if_present(file, kStateFile);
  } catch (const FileError& e) {
    throw std::runtime_error(e.what());
  }
  if (!c) return std::nullopt;
  return parse(c->text, file);
}

SinkState load_state(const fs::path& db, const std::string& name) { return read_state(db, name).value_or(SinkState{}); }

void save_state(const fs::path& db, const std::string& name, const SinkState& s) {
  const fs::path dir = state_dir(db);
  ensure_dir(dir);
  const nlohmann::json j{{"cursor_seq", s.cursor_seq},       {"cursor_hash", s.cursor_hash},
                         {"last_success", s.last_success},   {"last_attempt", s.last_attempt},
                         {"last_error", s.last_error},       {"backlog", s.backlog},
                         {"behind", s.behind},               {"failures", s.failures},
                         {"next_attempt_ms", s.next_attempt_ms}, {"delivered", s.delivered},
                         {"pruned_unsent", s.pruned_unsent}};
  const std::string text = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  const fs::path file = state_file(db, name);
  const fs::path tmp = fs::path(file).concat(".tmp." + std::to_string(::getpid()));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
  std::size_t off = 0;
  bool ok = true;
  while (ok && off < text.size()) {
    const ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) off += std::size_t(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) {
    const int e = ok ? errno : err;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(e));
  }
}

Lock::~Lock() {
  if (fd >= 0) ::close(fd);
}

Lock lock_forwarder(const fs::path& db, bool wait) {
  Lock l;
  try {
    ensure_dir(state_dir(db));
  } catch (const std::exception&) {
    return l;
  }
  const fs::path file = state_dir(db) / "lock";
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0) return l;
  int rc;
  while ((rc = ::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB))) != 0 && errno == EINTR) {
  }
  if (rc != 0) {
    ::close(fd);
    return l;
  }
  l.fd = fd;
  return l;
}

}  // namespace preloop::forward
