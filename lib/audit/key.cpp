#include "audit/key.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit/location.h"
#include "config/safe_file.h"
#include "audit/sha256.h"

namespace preloop::audit {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t kKeyBytes = 32;

std::runtime_error key_error(const fs::path& p, const std::string& what) {
  return std::runtime_error("audit key " + p.string() + ": " + what + ": " + std::strerror(errno));
}

// Never through a link, never a FIFO or device; tightened to 0600 when looser.
bool read_key(const fs::path& p, std::string& out) {
  std::optional<FileContent> key;
  try {
    key = read_file_if_present(p, file_rules::kAuditKey);
  } catch (const FileError& e) {
    throw std::runtime_error(std::string("audit key: ") + e.what());
  }
  if (!key) return false;
  if (key->text.size() != kKeyBytes)
    throw std::runtime_error("audit key " + p.string() + " is damaged (expected " + std::to_string(kKeyBytes) +
                             " bytes); records cannot be bound to their input");
  out = std::move(key->text);
  return true;
}

void create_key(const fs::path& p) {
  fs::path dir = p.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  }
  char key[kKeyBytes];
  if (getrandom(key, sizeof key, 0) != ssize_t(sizeof key)) throw key_error(p, "no randomness");
  fs::path tmp = fs::path(p).concat(".tmp." + std::to_string(::getpid()));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw key_error(tmp, "cannot create");
  bool ok = ::write(fd, key, sizeof key) == ssize_t(sizeof key) && ::fsync(fd) == 0;
  ::close(fd);
  // link() fails if another process created the key first: then its key is used.
  if (!ok || (::link(tmp.c_str(), p.c_str()) != 0 && errno != EEXIST)) {
    int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    throw key_error(p, "cannot write");
  }
  ::unlink(tmp.c_str());
}

}  // namespace

std::string install_key(const fs::path& db, bool create) {
  static fs::path cached_for;
  static std::string cached;
  if (!cached.empty() && cached_for == db) return cached;
  fs::path p = key_path(db);
  std::string key;
  if (!read_key(p, key)) {
    if (!create) {
      errno = ENOENT;
      throw key_error(p, "missing");
    }
    create_key(p);
    if (!read_key(p, key)) throw key_error(p, "vanished after creation");
  }
  cached_for = db;
  cached = key;
  return key;
}

std::string canonical_input(const nlohmann::json& tool_input) {
  // nlohmann::json keeps object keys sorted: dump() is a canonical form.
  return tool_input.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string input_hash_of_text(const std::string& key, const std::string& canonical) {
  return to_hex(hmac_sha256(key, canonical));
}

std::string input_hash_with_key(const std::string& key, const nlohmann::json& tool_input) {
  return input_hash_of_text(key, canonical_input(tool_input));
}

std::string random_id() {
  unsigned char b[16];
  if (getrandom(b, sizeof b, 0) != ssize_t(sizeof b)) throw std::runtime_error("no randomness for an audit id");
  static const char* hex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) {
    s.push_back(hex[c >> 4]);
    s.push_back(hex[c & 15]);
  }
  return s;
}

std::string input_hash(const nlohmann::json& tool_input, const Config* cfg) {
  return input_hash_with_key(install_key(db_path(cfg)), tool_input);
}

}  // namespace preloop::audit
