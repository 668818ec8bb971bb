#include "audit/spool.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <stdexcept>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "audit/key.h"
#include "audit/sha256.h"
#include "config/safe_file.h"
#include "protocol/json_depth.h"
#include "protocol/json_fast.h"

namespace preloop::audit {
namespace fs = std::filesystem;
namespace {

std::runtime_error sys_error(const fs::path& p, const std::string& what) {
  return std::runtime_error(what + " " + p.string() + ": " + std::strerror(errno));
}

const std::string kNoLink(64, '0');
constexpr std::string_view kSeqField = ",\"jseq\":";
constexpr std::string_view kLinkField = ",\"jlink\":\"";

// The HMAC of a line's body, before the link it continues from is known: the part
// an appender computes outside the lock.
HmacSha256 body_mac(const std::string& key, std::string_view body) {
  HmacSha256 h(key);
  h.update(std::string_view("preloop-journal-v1\0", 19)).update(body);
  return h;
}

std::string journal_link(HmacSha256 h, std::string_view prev, std::uint64_t jseq) {
  h.update("\n").update(prev).update("\n").update(std::to_string(jseq));
  return to_hex(h.finish());
}

// The chain fields at the end of a line (without its newline).
struct Link {
  std::size_t body = 0;  // length of the line before ,"jseq"
  std::uint64_t jseq = 0;
  std::string_view link;
};

std::optional<Link> parse_link(std::string_view line) {
  // ,"jseq":N,"jlink":"<64 hex>"}  parsed from the end, exactly.
  constexpr std::size_t kTail = 64 + 2;  // hex digits and "}
  if (line.size() < kSeqField.size() + 1 + kLinkField.size() + kTail) return std::nullopt;
  std::size_t hex = line.size() - kTail;
  if (line.substr(hex + 64) != "\"}") return std::nullopt;
  for (char c : line.substr(hex, 64))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  if (line.substr(hex - kLinkField.size(), kLinkField.size()) != kLinkField) return std::nullopt;
  std::size_t digits_end = hex - kLinkField.size(), d = digits_end;
  while (d > 0 && digits_end - d < 20 && line[d - 1] >= '0' && line[d - 1] <= '9') --d;
  if (d == digits_end || d < kSeqField.size() || line.substr(d - kSeqField.size(), kSeqField.size()) != kSeqField)
    return std::nullopt;
  Link l;
  for (std::size_t i = d; i < digits_end; ++i) l.jseq = l.jseq * 10 + std::uint64_t(line[i] - '0');
  l.body = d - kSeqField.size();
  l.link = line.substr(hex, 64);
  return l;
}

// Follows the chain line by line, as the appenders built it.
class ChainCheck {
 public:
  ChainCheck(const std::string& key, bool allow_unlinked) : key_(key), allow_unlinked_(allow_unlinked) {}
  // True when line continues the chain.
  bool next(std::string_view line) {
    std::optional<Link> l = parse_link(line);
    if (!l) {  // appenders start again after a line without a link
      prev_ = kNoLink;
      expect_ = 1;
      return allow_unlinked_;
    }
    bool ok = l->jseq == expect_ && journal_link(body_mac(key_, line.substr(0, l->body)), prev_, l->jseq) == l->link;
    prev_.assign(l->link);
    expect_ = l->jseq + 1;
    return ok;
  }

 private:
  const std::string& key_;
  bool allow_unlinked_;
  std::string prev_ = kNoLink;
  std::uint64_t expect_ = 1;
};

// The link the next line continues from, read from the file's tail: kNoLink and 1
// for an empty file or a last line without a link; *newline when the file does
// not end in one.
void read_tail(int fd, off_t size, std::string& prev, std::uint64_t& jseq, bool& newline) {
  prev = kNoLink;
  jseq = 1;
  newline = false;
  if (size == 0) return;
  char buf[192];
  std::size_t want = std::size_t(std::min<off_t>(size, off_t(sizeof buf)));
  ssize_t n = ::pread(fd, buf, want, size - off_t(want));
  if (n != ssize_t(want)) return;  // unreadable: a line without a predecessor, which verify reports
  if (buf[n - 1] != '\n') {
    newline = true;
    return;
  }
  if (std::optional<Link> l = parse_link(std::string_view(buf, std::size_t(n - 1)))) {
    prev.assign(l->link);
    jseq = l->jseq + 1;
  }
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

std::size_t spool_append(const fs::path& spool, Record& r, Sync sync, const std::string& key) {
  if (r.spool_id.empty()) r.spool_id = random_id();
  std::string body = to_json_line(r);
  std::optional<HmacSha256> mac;
  if (!key.empty()) {
    body.pop_back();  // the link fields go inside the object
    mac = body_mac(key, body);
  }
  for (int attempt = 0; attempt < 8; ++attempt) {
    // Read-write: the tail is read to continue the chain. O_NONBLOCK: a FIFO
    // planted in its place fails here instead of blocking.
    int fd = ::open(spool.c_str(), O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0) throw sys_error(spool, "cannot open the audit spool");
    if (::flock(fd, LOCK_EX) != 0) {
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
    std::string prev, tail = "\n";
    std::uint64_t jseq = 1;
    bool newline = false;
    read_tail(fd, by_fd.st_size, prev, jseq, newline);
    if (mac)
      tail = std::string(kSeqField) + std::to_string(jseq) + std::string(kLinkField) +
             journal_link(*mac, prev, jseq) + "\"}\n";
    iovec iov[3] = {{const_cast<char*>("\n"), newline ? 1u : 0u},
                    {body.data(), body.size()},
                    {tail.data(), tail.size()}};
    std::size_t total = iov[0].iov_len + body.size() + tail.size();
    ssize_t n = ::writev(fd, iov, 3);
    int saved = errno;
    bool kept = n == ssize_t(total);
    if (kept && sync == Sync::Data) {
      ::flock(fd, LOCK_UN);  // others need not wait for the disk
      if (::fdatasync(fd) != 0) {
        kept = false;
        saved = errno;
      }
    }
    ::close(fd);
    if (!kept) {
      errno = n >= 0 && n != ssize_t(total) && saved == 0 ? ENOSPC : saved;
      throw sys_error(spool, "cannot write the audit spool");
    }
    return std::size_t(by_fd.st_size) + total;
  }
  errno = EAGAIN;
  throw sys_error(spool, "the audit spool kept moving");
}

namespace {

// Calls f(line, number) for each non-empty line of text; numbers count from 1,
// empty lines included.
template <class F>
void each_line(const std::string& text, F&& f) {
  std::size_t pos = 0, number = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    ++number;
    if (!line.empty()) f(line, number);
  }
}

}  // namespace

SpoolBatch::SpoolBatch(const fs::path& spool, const std::string& key, bool allow_unlinked)
    : spool_(spool), file_(sibling(spool, ".folding")) {
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
  ChainCheck chain(key, allow_unlinked);
  each_line(text, [&](std::string_view line, std::size_t) {
    bool linked = chain.next(line);
    try {
      auto fast = protocol::parse_json_fast(line);  // big records: a byte loop, not nlohmann's lexer
      if (!fast && protocol::json_too_deep(line)) throw std::invalid_argument("nested too deep");
      Record r = from_json(fast ? *fast : nlohmann::json::parse(line));
      if (r.spool_id.empty() || r.ts.empty() || r.hook_event.empty()) throw std::invalid_argument("incomplete");
      if (!linked) r.failure_class += (r.failure_class.empty() ? "" : ",") + std::string(kJournalBreak);
      records.push_back(std::move(r));
    } catch (const std::exception&) {
      rejected.emplace_back(line);
    }
  });
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

JournalCheck check_journal(const fs::path& file, const std::string& key, bool allow_unlinked) {
  JournalCheck out;
  std::string text;
  try {
    auto content = read_file_if_present(file, file_rules::kJournal);
    if (!content) return out;
    text = std::move(content->text);
  } catch (const FileError&) {
    return out;  // not a journal that can be read: the fold and `doctor` say why
  }
  // A last line without its newline is being written now (or was cut short, which
  // the fold rejects): not a break of the chain.
  std::size_t end = text.rfind('\n');
  text.resize(end == std::string::npos ? 0 : end + 1);
  ChainCheck chain(key, allow_unlinked);
  each_line(text, [&](std::string_view line, std::size_t number) {
    ++out.lines;
    if (!chain.next(line) && ++out.breaks == 1) out.first_break = number;
  });
  return out;
}

}  // namespace preloop::audit
