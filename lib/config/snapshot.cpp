#include "config/snapshot.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

namespace preloop::snapshot {
namespace fs = std::filesystem;
namespace {

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string hex(const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

// The NT_GNU_BUILD_ID note of the executable (the first object dl_iterate_phdr reports).
int find_build_id(dl_phdr_info* info, std::size_t, void* out) {
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    const std::size_t align = ph.p_align == 8 ? 8 : 4;
    auto pad = [align](std::size_t n) { return (n + align - 1) & ~(align - 1); };
    const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
    const char* end = p + ph.p_memsz;
    while (static_cast<std::size_t>(end - p) >= sizeof(ElfW(Nhdr))) {
      const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
      const char* name = p + sizeof *note;
      const char* desc = name + pad(note->n_namesz);
      if (desc + note->n_descsz > end) break;
      if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0 &&
          note->n_descsz > 0) {
        *static_cast<std::string*>(out) = "build-id " + hex(reinterpret_cast<const unsigned char*>(desc), note->n_descsz);
        return 1;
      }
      p = desc + pad(note->n_descsz);
    }
  }
  return 1;  // only the executable
}

}  // namespace

std::string stat_identity(const fs::path& f) {
  struct stat st {};
  if (::stat(f.c_str(), &st) != 0) return "";
  return std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ino) + " " +
         std::to_string(st.st_ctim.tv_sec) + "." + std::to_string(st.st_ctim.tv_nsec);
}

std::string binary_identity() {
  std::string id;
  dl_iterate_phdr(find_build_id, &id);
  if (!id.empty()) return id;
  std::string exe = stat_identity("/proc/self/exe");
  return exe.empty() ? "" : "exe " + exe;
}

std::optional<Key> make_key(std::string_view kind, const std::vector<std::pair<std::string, fs::path>>& files,
                            std::string_view options) {
  static const std::string binary = binary_identity();
  if (binary.empty()) return std::nullopt;
  Key k;
  k.kind = kind;
  k.slot = std::string(kind) + "\nbinary\t" + binary + "\n" + std::string(options) + "\n";
  k.signature = k.slot;
  for (const auto& [label, f] : files) {
    k.slot += label + "\t" + f.string() + "\n";
    k.signature += label + "\t" + f.string() + "\t" + stat_identity(f) + "\n";
  }
  return k;
}

std::string file_name(const Key& key) {
  char name[24];
  std::snprintf(name, sizeof name, "-%016llx.bin", static_cast<unsigned long long>(fnv1a(key.slot)));
  return key.kind + name;
}

std::optional<Payload> read(const fs::path& dir, const Key& key) {
  // Never through a link, never a FIFO (O_NONBLOCK, then the type check) or a
  // device, never without bound: anything else is simply not a snapshot.
  int fd = ::open((dir / file_name(key)).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  Payload p;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      static_cast<std::size_t>(st.st_size) <= kMaxBytes) {
    const auto size = static_cast<std::size_t>(st.st_size);
    p.bytes.reset(new char[size]);
    for (ssize_t n; p.end < size && (n = ::read(fd, p.bytes.get() + p.end, size - p.end)) > 0;)
      p.end += static_cast<std::size_t>(n);
  }
  ::close(fd);
  // The file starts with the whole signature, so a hash collision or a stale input is harmless.
  if (!p.view().starts_with(key.signature)) return std::nullopt;
  p.begin = key.signature.size();
  return p;
}

void write(const fs::path& dir, const Key& key, std::string_view payload, unsigned mode) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  const fs::path target = dir / file_name(key);
  const std::string tmp = target.string() + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
  if (fd < 0) return;
  if (mode != 0600) ::fchmod(fd, mode);
  std::string data = key.signature;
  data += payload;
  bool ok = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), target.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return;
  }
  // Bounded: the least recently written snapshots of this kind go first.
  std::vector<std::pair<fs::file_time_type, fs::path>> mine;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(key.kind + "-") && name.ends_with(".bin")) mine.emplace_back(e.last_write_time(ec), e.path());
  }
  if (mine.size() <= kMaxSnapshots) return;
  std::sort(mine.begin(), mine.end());
  for (std::size_t i = 0; i + kMaxSnapshots < mine.size(); ++i)
    if (mine[i].second != target) fs::remove(mine[i].second, ec);
}

void Writer::u32(std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

void Writer::str(std::string_view s) {
  u32(static_cast<std::uint32_t>(s.size()));
  out += s;
}

void Writer::strs(const std::vector<std::string>& v) {
  u32(static_cast<std::uint32_t>(v.size()));
  for (const auto& s : v) str(s);
}

std::uint32_t Reader::u32() {
  if (in.size() < 4) {
    ok = false;
    return 0;
  }
  std::uint32_t v;
  std::memcpy(&v, in.data(), 4);
  in.remove_prefix(4);
  return v;
}

std::string Reader::str() { return std::string(view()); }

std::string_view Reader::view() {
  auto n = u32();
  if (!ok || in.size() < n) {
    ok = false;
    return {};
  }
  std::string_view s = in.substr(0, n);
  in.remove_prefix(n);
  return s;
}

std::vector<std::string> Reader::strs() {
  std::vector<std::string> v(count());
  for (auto& s : v) s = str();
  return v;
}

std::uint32_t Reader::count() {
  auto n = u32();
  if (n > in.size()) {  // every element takes at least one byte
    ok = false;
    return 0;
  }
  return n;
}

void Reader::skip(std::size_t n) {
  if (in.size() < n) {
    ok = false;
    in = {};
    return;
  }
  in.remove_prefix(n);
}

}  // namespace preloop::snapshot
