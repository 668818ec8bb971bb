#include "audit/witness.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <string_view>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/sha256.h"
#include "config/paths.h"

namespace preloop::audit {
namespace fs = std::filesystem;
namespace {

constexpr const char* kTag = "preloop-audit-witness-v1";

fs::path absolute_db(const fs::path& db) {
  std::error_code ec;
  fs::path abs = fs::absolute(db, ec);
  return ec ? db : abs.lexically_normal();
}

}  // namespace

fs::path witness_path(const fs::path& db) {
  std::string name = to_hex(sha256(absolute_db(db).string())).substr(0, 32);
  return paths::state_home() / "preloop-hook" / "witness" / name;
}

std::string witness_mac(const std::string& key, const fs::path& db, const Witness& w) {
  std::string msg = std::string(kTag) + "\n" + absolute_db(db).string() + "\n" + w.store_id + "\n" +
                    std::to_string(w.seq) + "\n" + w.hash + "\n";
  return to_hex(hmac_sha256(key, msg));
}

std::optional<Witness> read_witness(const fs::path& db) {
  int fd = ::open(witness_path(db).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[512];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  // tag store_id seq hash mac, on the first line
  std::string_view text(buf, std::size_t(std::max<ssize_t>(n, 0)));
  text = text.substr(0, text.find('\n'));
  std::string_view f[5];
  for (auto& field : f) {
    std::size_t end = std::min(text.find(' '), text.size());
    field = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
  }
  Witness w;
  if (f[0] != kTag || f[2].empty() || f[2].size() > 20 || f[4].empty()) return w;
  for (char c : f[2]) {
    if (c < '0' || c > '9') return Witness{};
    w.seq = w.seq * 10 + (c - '0');
  }
  w.store_id = f[1];
  w.hash = f[3];
  w.mac = f[4];
  return w;
}

void write_witness(const fs::path& db, const std::string& key, Witness w) {
  w.mac = witness_mac(key, db, w);
  fs::path p = witness_path(db);
  // Rewritten in place with one pwrite, not through a renamed copy: renaming over
  // the old file makes ext4 start writeback (~0.7 ms per direct append). Fields
  // have fixed widths, so each version is exactly as long as the last.
  char seq[24];
  std::snprintf(seq, sizeof seq, "%020lld", static_cast<long long>(w.seq));
  std::string text = std::string(kTag) + " " + w.store_id + " " + seq + " " + w.hash + " " + w.mac + "\n" +
                     absolute_db(db).string() + "\n";
  int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    if (fs::create_directories(p.parent_path(), ec)) ::chmod(p.parent_path().c_str(), 0700);
    fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  }
  if (fd < 0) throw std::runtime_error("cannot write the audit witness " + p.string() + ": " + std::strerror(errno));
  bool ok = ::pwrite(fd, text.data(), text.size(), 0) == ssize_t(text.size());
  int saved = errno;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write the audit witness " + p.string() + ": " + std::strerror(saved));
}

}  // namespace preloop::audit
