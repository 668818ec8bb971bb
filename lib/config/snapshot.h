// Snapshots: what a hook process would otherwise derive from YAML on every
// call (the merged config, the parsed policy layers), saved as one binary
// file that the next process reads instead.
//
// A snapshot is bound to the identity of its inputs (path, size, mtime,
// inode, ctime) and of the running binary (its GNU build id): another build
// may derive it differently. Each binary and each set of input paths has its
// own file, so two installs (an upgrade, a project-local and a global one) or
// two projects sharing one data directory never replace each other's
// snapshot; a directory keeps at most kMaxSnapshots files of a kind, the
// least recently written removed first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace preloop::snapshot {

inline constexpr std::size_t kMaxSnapshots = 16;
inline constexpr std::size_t kMaxBytes = 256u << 20;

struct Key {
  std::string kind;       // "config", "policy": the file name prefix
  std::string slot;       // the binary, the input paths and the options: names the file
  std::string signature;  // the slot and every input's identity: heads the file
};

// The key for inputs (label, path) and options; nullopt when the running
// binary cannot be identified (a snapshot could then outlive it).
std::optional<Key> make_key(std::string_view kind, const std::vector<std::pair<std::string, std::filesystem::path>>& files,
                            std::string_view options);

// A payload read into memory (not zero-filled first, not copied after).
struct Payload {
  std::unique_ptr<char[]> bytes;
  std::size_t begin = 0, end = 0;
  std::string_view view() const { return {bytes.get() + begin, end - begin}; }
};

// The payload saved under dir for key; nullopt when absent or stale, and when
// the file is not one the guard could have written: a link, a FIFO or device,
// larger than kMaxBytes.
std::optional<Payload> read(const std::filesystem::path& dir, const Key& key);

// Saves the payload atomically (temp file + rename) with `mode` and keeps the
// directory within kMaxSnapshots files of the kind. Failures are ignored.
void write(const std::filesystem::path& dir, const Key& key, std::string_view payload, unsigned mode = 0600);

// The running binary: "build-id <hex>" from its own ELF notes, else
// "exe <size> <mtime> <inode>" of /proc/self/exe; empty when neither is known.
// The same under valgrind as natively.
std::string binary_identity();

// "size mtime inode ctime" of a file (what changes when it is written or
// replaced); empty when it cannot be stat'ed.
std::string stat_identity(const std::filesystem::path& file);

// File name of the key's snapshot in its directory.
std::string file_name(const Key& key);

// Payload encoding: 32-bit counts and lengths in host order (a snapshot
// never leaves the machine that wrote it).
struct Writer {
  std::string out;
  void u32(std::uint32_t v);
  void i32(int v) { u32(static_cast<std::uint32_t>(v)); }
  void str(std::string_view s);
  void strs(const std::vector<std::string>& v);
};

// Reads what Writer wrote; ok turns false (and stays) on a short or damaged payload.
struct Reader {
  std::string_view in;
  bool ok = true;
  std::uint32_t u32();
  int i32() { return static_cast<int>(u32()); }
  std::string str();
  std::string_view view();  // str() in place: valid as long as the payload
  std::vector<std::string> strs();
  std::uint32_t count();  // an element count, checked against what is left
  void skip(std::size_t n);  // n bytes unread
};

}  // namespace preloop::snapshot
