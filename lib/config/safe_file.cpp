#include "config/safe_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace preloop {
namespace fs = std::filesystem;
namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string quoted(const fs::path& p) { return p.string(); }

[[noreturn]] void refuse(const std::string& message, bool missing = false) { throw FileError(message, missing); }

[[noreturn]] void open_failed(const fs::path& path, const FileRule& rule, int err) {
  if (err == ENOENT || err == ENOTDIR) refuse(quoted(path) + " does not exist", true);
  if (err == ELOOP && !rule.follow_links)
    refuse(quoted(path) + " is a symbolic link; " + rule.kind + " are never read through a link");
  if (err == ENXIO) {  // a socket (or a device without a driver)
    struct stat st {};
    const char* type = ::lstat(path.c_str(), &st) == 0 ? file_type_name(st.st_mode) : "special file";
    refuse(quoted(path) + " is a " + type + ", not a regular file");
  }
  refuse("cannot open " + quoted(path) + ": " + std::strerror(err));
}

bool under(const fs::path& real, const fs::path& dir) {
  auto rel = real.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != ".." && *rel.begin() != ".";
}

}  // namespace

const char* file_type_name(mode_t mode) {
  if (S_ISREG(mode)) return "regular file";
  if (S_ISDIR(mode)) return "directory";
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISLNK(mode)) return "symbolic link";
  return "special file";
}

std::string human_size(std::size_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  static const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = double(bytes) / 1024;
  int u = 0;
  while (v >= 1024 && u < 5) v /= 1024, ++u;
  char buf[32];
  if (v == double(static_cast<unsigned long long>(v))) std::snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(v), units[u]);
  else std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

fs::path real_path_of_fd(int fd) {
  char link[64], buf[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = ::readlink(link, buf, sizeof buf);
  if (n <= 0 || n == ssize_t(sizeof buf)) return {};
  return fs::path(std::string(buf, std::size_t(n)));
}

FileContent read_fd_safely(int fd, const fs::path& path, const FileRule& rule) {
  FileContent out;
  if (::fstat(fd, &out.st) != 0) refuse("cannot inspect " + quoted(path) + ": " + std::strerror(errno));
  if (!S_ISREG(out.st.st_mode)) refuse(quoted(path) + " is a " + file_type_name(out.st.st_mode) + ", not a regular file");
  const auto size = static_cast<std::size_t>(out.st.st_size);
  if (size > rule.max_bytes)
    refuse(quoted(path) + " is " + human_size(size) + ", over the " + human_size(rule.max_bytes) + " limit for " +
           rule.kind);
  // A regular file's size is known: one read normally takes it all. Files that
  // report no size (procfs) are read until EOF, at most one byte past the cap.
  const std::size_t want = size > 0 ? size : rule.max_bytes + 1;
  out.text.resize(want);
  std::size_t got = 0;
  while (got < want) {
    ssize_t n = ::read(fd, out.text.data() + got, want - got);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      refuse("cannot read " + quoted(path) + ": " + std::strerror(errno));
    }
    got += std::size_t(n);
  }
  out.text.resize(got);
  if (got > rule.max_bytes)
    refuse(quoted(path) + " is over the " + human_size(rule.max_bytes) + " limit for " + rule.kind);
  if (rule.owner_only && (out.st.st_mode & 077) && out.st.st_uid == ::geteuid())
    ::fchmod(fd, out.st.st_mode & 0700);  // the guard's own file; doctor reports what could not be fixed
  return out;
}

FileContent read_file_safely(const fs::path& path, const FileRule& rule, const fs::path& within) {
  const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | (rule.follow_links ? 0 : O_NOFOLLOW);
  Fd f{::open(path.c_str(), flags)};
  if (f.fd < 0) open_failed(path, rule, errno);
  if (!within.empty()) {
    std::error_code ec;
    fs::path real = real_path_of_fd(f.fd);
    if (real.empty()) real = fs::canonical(path, ec);
    if (real.empty() || !under(real, within))
      refuse(quoted(path) + " resolves to " + (real.empty() ? std::string("an unknown place") : real.string()) +
             ", outside " + within.string() + "; " + rule.kind + " must lie inside it");
  }
  return read_fd_safely(f.fd, path, rule);
}

std::optional<FileContent> read_file_if_present(const fs::path& path, const FileRule& rule, const fs::path& within) {
  try {
    return read_file_safely(path, rule, within);
  } catch (const FileError& e) {
    if (e.missing) return std::nullopt;
    throw;
  }
}

}  // namespace preloop
