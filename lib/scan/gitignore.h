// .gitignore rules, as git applies them while walking a tree: patterns with
// `*`, `?`, `[...]` and `**`, `!` to re-include, a trailing `/` for
// directories only, a leading or inner `/` to anchor at the file's directory,
// the last matching rule wins, and nothing below an ignored directory is seen.
#pragma once

#include <string>
#include <vector>

namespace preloop::scan {

class IgnoreRules {
 public:
  // Adds the rules of one .gitignore whose directory is `base` (relative to
  // the walk's root, "" for the root itself).
  void add_file(const std::string& base, const std::string& text);
  // Whether `path` (relative to the root, '/'-separated) is ignored.
  bool ignored(const std::string& path, bool is_dir) const;

 private:
  struct Rule {
    std::string base, pattern;
    bool negate = false, dir_only = false, anchored = false;
  };
  std::vector<Rule> rules_;
};

// Glob match with `*` and `?` (not across '/'), `**` (across '/') and `[...]`.
bool glob_match(const char* pattern, const char* text);

}  // namespace preloop::scan
