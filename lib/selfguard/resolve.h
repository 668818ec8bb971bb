// Where a path really is: made absolute against the call's working
// directory, `~` and `$HOME` expanded, `.`, `..` and repeated slashes
// removed, and symlinks resolved through the longest prefix that exists.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>

namespace preloop::selfguard {

// Path comparisons ignore case where the file system does (macOS by default).
// Linux file systems are treated as case-sensitive.
#ifdef __APPLE__
inline constexpr bool kCaseInsensitiveFs = true;
#else
inline constexpr bool kCaseInsensitiveFs = false;
#endif

// A path in two spellings: as written (normalised) and with symlinks resolved.
struct Resolved {
  std::string lexical;
  std::string real;
};

// `~`, `~/…`, `$HOME/…` and `${HOME}/…` expanded with `home`; relative paths
// joined to `cwd`. Returns "" when the path stays relative (unknown cwd).
std::string absolute(std::string_view path, std::string_view cwd, std::string_view home);

// The kernel's view of absolute paths: each component looked up with lstat()
// and symlinks followed, as realpath() does, through the longest existing
// prefix (so `..` after a symlink climbs from the link's target); the rest,
// which does not exist, normalised lexically. Prefixes are remembered, so the
// many paths of one call below the same directories cost one lstat per
// directory. One per call: files change between calls.
class Resolver {
 public:
  // `*missing` (when given) is set when the walk found that the path does
  // not exist; false when it exists or this is not known.
  std::string real_path(const std::string& abs, bool* missing = nullptr);
  // Both spellings of `path`; empty strings when it cannot be made absolute.
  Resolved resolve(std::string_view path, std::string_view cwd, std::string_view home);

 private:
  std::string walk(const std::string& abs, int links, bool* missing_out = nullptr);
  std::unordered_map<std::string, std::string> known_;  // existing prefix -> its real path ("" = does not exist)
};

// `path` is `dir` or lies below it, component-wise, case-folded where the
// file system is case-insensitive.
bool same_or_under(std::string_view path, std::string_view dir);

}  // namespace preloop::selfguard
