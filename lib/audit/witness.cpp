#include "audit/witness.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sstream>
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
  char buf[1024];
  ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  Witness w;
  std::istringstream in(std::string(buf, std::size_t(std::max<ssize_t>(n, 0))));
  std::string tag;
  if (!(in >> tag >> w.store_id >> w.seq >> w.hash >> w.mac) || tag != kTag) return Witness{};
  return w;
}

void write_witness(const fs::path& db, const std::string& key, Witness w) {
  w.mac = witness_mac(key, db, w);
  fs::path p = witness_path(db);
  fs::path tmp = fs::path(p).concat(".tmp." + std::to_string(::getpid()));
  std::string text = std::string(kTag) + " " + w.store_id + " " + std::to_string(w.seq) + " " + w.hash + " " + w.mac +
                     "\n" + absolute_db(db).string() + "\n";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT) {
    std::error_code ec;
    if (fs::create_directories(p.parent_path(), ec)) ::chmod(p.parent_path().c_str(), 0700);
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  }
  if (fd < 0) throw std::runtime_error("cannot write the audit witness " + tmp.string() + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), p.c_str()) != 0) {
    int saved = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error("cannot write the audit witness " + p.string() + ": " + std::strerror(saved));
  }
}

}  // namespace preloop::audit
