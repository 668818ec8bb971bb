#include "provenance/session_state.h"

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/paths.h"

namespace preloop::provenance {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kMaxState = 1 << 20;

// A file name for an id (FNV-1a, 64 bits, hex): the hook reads one on every
// tool call of an older client, so no cryptographic hash. The files hold
// nothing secret; a collision only mixes two sessions' prompt ids.
std::string digest(const std::string& text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[std::size_t(i)] = kHex[h & 15];
  return out;
}

std::optional<std::string> read_small(const std::string& p) {
  int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::optional<std::string> out;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && std::size_t(st.st_size) <= kMaxState) {
    std::string text(std::size_t(st.st_size), '\0');
    ssize_t n = ::read(fd, text.data(), text.size());
    if (n == st.st_size) out = std::move(text);
  }
  ::close(fd);
  return out;
}

// Written to a temporary file and renamed over: a reader sees all or nothing.
void write_small(const std::string& dir, const std::string& p, const std::string& text) {
  std::error_code ec;
  if (fs::create_directories(dir, ec)) ::chmod(dir.c_str(), 0700);
  const std::string tmp = p + ".tmp" + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), p.c_str()) != 0) ::unlink(tmp.c_str());
}

}  // namespace

SessionState::SessionState(std::string session_id, std::string dir)
    : key_(digest(session_id)), dir_(dir.empty() ? paths::session_state_dir() : std::move(dir)) {}

std::string SessionState::file(const std::string& suffix) const { return dir_ + "/" + key_ + suffix; }

std::string SessionState::current_prompt() const {
  auto text = read_small(file(".prompt"));
  return text ? *text : "";
}

void SessionState::set_current_prompt(const std::string& prompt_id) const {
  write_small(dir_, file(".prompt"), prompt_id);
}

void SessionState::put_pending(const std::string& tool_use_id, const std::string& text) const {
  write_small(dir_, file("." + digest(tool_use_id) + ".pending"), text);
}

std::optional<std::string> SessionState::take_pending(const std::string& tool_use_id) const {
  const std::string p = file("." + digest(tool_use_id) + ".pending");
  auto text = read_small(p);
  if (text) ::unlink(p.c_str());
  return text;
}

void SessionState::clear() const {
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().rfind(key_, 0) == 0) fs::remove(it->path(), ec);
}

std::size_t SessionState::prune(int days, std::string dir) {
  if (dir.empty()) dir = paths::session_state_dir();
  const auto cutoff = fs::file_time_type::clock::now() - std::chrono::hours(24) * days;
  std::size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e;
    if (it->is_regular_file(e) && it->last_write_time(e) < cutoff && !e && fs::remove(it->path(), e)) ++removed;
  }
  return removed;
}

}  // namespace preloop::provenance
