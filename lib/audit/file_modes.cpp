#include "audit/file_modes.h"

#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/location.h"

namespace preloop::audit {
namespace fs = std::filesystem;
namespace {

// One lstat when the mode is already right; an open without following links
// and an fchmod when it is not.
void tighten(const fs::path& p, std::vector<LooseMode>* out) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 077)) return;
  LooseMode loose{p, mode_t(st.st_mode & 07777), false};
  if (st.st_uid == ::geteuid()) {
    int fd = ::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    struct stat by_fd {};
    if (fd >= 0 && ::fstat(fd, &by_fd) == 0 && S_ISREG(by_fd.st_mode) && by_fd.st_ino == st.st_ino)
      loose.fixed = ::fchmod(fd, by_fd.st_mode & 0700) == 0;
    if (fd >= 0) ::close(fd);
  }
  if (out) out->push_back(std::move(loose));
}

}  // namespace

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", unsigned(mode & 07777));
  return buf;
}

void tighten_sqlite_modes(const fs::path& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) tighten(fs::path(db).concat(suffix), nullptr);
}

std::vector<LooseMode> tighten_store_modes(const fs::path& db) {
  std::vector<LooseMode> out;
  for (const char* suffix : {"", "-wal", "-shm"}) tighten(fs::path(db).concat(suffix), &out);
  const fs::path spool = spool_path(db);
  for (const fs::path& p : {spool, fs::path(spool).concat(".folding"), fs::path(spool).concat(".rejected"), key_path(db)})
    tighten(p, &out);
  return out;
}

}  // namespace preloop::audit
