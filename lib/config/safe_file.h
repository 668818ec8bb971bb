// Reading a file that another program with the user's uid may have planted:
// never blocks (a FIFO), never reads without bound (/dev/zero, a huge file),
// follows a symbolic link only where one is expected, and says exactly why a
// file is refused.
//
// One open (O_RDONLY | O_NONBLOCK | O_CLOEXEC, plus O_NOFOLLOW when links are
// refused), one fstat, reads of at most the cap plus one byte.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

#include <sys/stat.h>

namespace preloop {

// What may be read, per kind of file.
struct FileRule {
  const char* kind;            // "policy files": used in messages ("over the 4 MiB limit for policy files")
  std::size_t max_bytes;       // files larger than this are refused
  bool follow_links;           // false: a symbolic link (as the last component) is refused
  bool owner_only = false;     // the guard's own file: tightened to 0600 when found looser
};

namespace file_rules {
inline constexpr FileRule kConfig{"config files", 1u << 20, true};
inline constexpr FileRule kPolicy{"policy files", 4u << 20, true};
// Written by `preloop-hook sync` within sync.max_bytes (at most 256 MiB).
inline constexpr FileRule kSyncedPolicy{"the synced policy", 256u << 20, false};
inline constexpr FileRule kSnapshot{"policy snapshots", 256u << 20, false, true};
inline constexpr FileRule kAuditKey{"the audit key", 4096, false, true};
inline constexpr FileRule kJournal{"the audit journal", 256u << 20, false, true};
inline constexpr FileRule kSyncState{"sync state files", 1u << 20, false};
inline constexpr FileRule kCredentials{"credentials files", 64u << 10, false};
inline constexpr FileRule kSettings{"Claude Code settings files", 16u << 20, true};
}  // namespace file_rules

// A file that cannot be read under its rule. missing: it does not exist
// (ENOENT or ENOTDIR), which callers often treat as "no file".
struct FileError : std::runtime_error {
  FileError(const std::string& message, bool missing) : std::runtime_error(message), missing(missing) {}
  bool missing;
};

struct FileContent {
  std::string text;
  struct stat st {};  // of the file read (before any mode change)
};

// Reads the regular file at path under rule. Throws FileError with a
// specific message ("<path> is a FIFO, not a regular file"). When `within` is
// given (a directory's real path), the file actually opened must lie under it:
// a symbolic link that resolves elsewhere is refused.
FileContent read_file_safely(const std::filesystem::path& path, const FileRule& rule,
                             const std::filesystem::path& within = {});
// The same, nullopt when the file does not exist.
std::optional<FileContent> read_file_if_present(const std::filesystem::path& path, const FileRule& rule,
                                                const std::filesystem::path& within = {});

// The same checks and reads on a descriptor opened (and perhaps locked) by
// the caller, which should have opened it with O_NONBLOCK. `path` names it in messages.
FileContent read_fd_safely(int fd, const std::filesystem::path& path, const FileRule& rule);

// The real path of an open descriptor (/proc/self/fd), empty when unknown.
std::filesystem::path real_path_of_fd(int fd);

// "FIFO", "directory", "character device", ... for a st_mode.
const char* file_type_name(mode_t mode);
// "2.1 GB", "4 MiB", "300 bytes".
std::string human_size(std::size_t bytes);

}  // namespace preloop
