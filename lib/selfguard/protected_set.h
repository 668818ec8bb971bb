// The locations the agent must not change: preloop-hook's configuration,
// rules, data, audit store and binary, Claude Code's settings, every
// supported agent's user-level hook files and those of the calling agent's project, as they
// are resolved for this call (XDG_*, PRELOOP_HOOK_*, CLAUDE_* honoured, the
// default locations under the home directory kept as well).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "selfguard/resolve.h"

namespace preloop::selfguard {

struct Protected {
  enum class Kind {
    Dir,     // the directory and everything below it
    File,    // exactly this file
    Prefix,  // files in the same directory whose name starts with this one (audit.db, audit.db-wal, …)
  };
  Kind kind = Kind::Dir;
  std::string path;    // absolute, normalised
  std::string real;    // with symlinks resolved
  std::string what;    // for messages: "preloop-hook's configuration", …
  bool secret = false; // reading it is denied too (the audit key)
  bool binary = false; // the running preloop-hook binary
};

// What the set is computed from.
struct Inputs {
  std::string home;         // for ~ (the call's home)
  std::string cwd;          // the call's working directory
  std::string project_dir;  // CLAUDE_PROJECT_DIR, else cwd
  std::string audit_db;     // the configured audit database
  std::string executable;   // the running binary
  std::string agent;        // the agent of the call when not Claude Code (gemini_cli, ...): its project's hook files and managed location too
  // Environment lookup (XDG_*, PRELOOP_HOOK_*, CLAUDE_*); getenv by default.
  std::function<const char*(const char*)> getenv;
};

// The set for one call. Building it reads the environment only; the real
// paths of the entries (realpath, /proc/self/exe: syscalls) are resolved on
// the first comparison that has a real path to compare.
class ProtectedSet {
 public:
  explicit ProtectedSet(const Inputs& in);

  // The entry a path (absolute, normalised; `real` may be "" to compare the
  // spelling only) lies in, or nullptr. With secrets_only, only the secret
  // entries are compared (and resolved): for calls that only read.
  const Protected* containing(const std::string& lexical, const std::string& real, bool secrets_only = false) const;
  // A protected file that `real` (an existing file with more than one link)
  // is a hard link to, or nullptr. One stat() when the file has a single link.
  const Protected* hard_link_to(const std::string& real) const;
  // An entry strictly below the directory `dir`, or nullptr: deleting, moving
  // or replacing `dir` wholesale would take it along.
  const Protected* below(const std::string& lexical, const std::string& real) const;
  // An entry a shell glob pattern (absolute, normalised; wildcards do not
  // match a leading dot) can hit, inside or below.
  const Protected* matched_by_glob(const std::string& pattern) const;

  // The entries, with real paths resolved (only the secret ones' with secrets_only).
  const std::vector<Protected>& entries(bool secrets_only = false) const;

  // Path resolution for this call, sharing what is known of the file system.
  Resolved resolve(std::string_view path, std::string_view cwd, std::string_view home) const {
    return resolver_.resolve(path, cwd, home);
  }
  std::string real_path(const std::string& abs, bool* missing = nullptr) const {
    return resolver_.real_path(abs, missing);
  }

 private:
  void resolve_reals(bool secrets_only = false) const;
  // Every entry's path and real path (its directory for a Prefix entry):
  // a path hits an entry only when one of these is the path or one of its
  // directories, so most paths are ruled out by a few lookups.
  void add_keys(const Protected& e) const;
  bool may_hit(std::string_view path) const;
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable std::unordered_set<std::string, KeyHash, std::equal_to<>> keys_;
  mutable std::size_t longest_key_ = 0;
  static constexpr std::size_t kIndexAfter = 16;  // containing() calls compared entry by entry
  mutable std::size_t queries_ = 0;
  mutable bool indexed_ = false;
  mutable std::vector<bool> key_lengths_;  // whether some key has this length: most prefixes are not hashed
  mutable Resolver resolver_;
  mutable std::vector<Protected> entries_;
  mutable bool resolved_ = false;          // every entry's real path is known
  mutable bool secrets_resolved_ = false;  // the secret entries' real paths are known
  std::string executable_;
};

// The audit key's path for a database (the one secret in the set).
std::string audit_key_path(const std::string& db);

}  // namespace preloop::selfguard
