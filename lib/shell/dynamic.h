// What the analysis cannot know and must say so: assignments that change how
// later words are split or where cd goes, files written and run in one
// command line, and the entries a pipeline hands to xargs.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "shell/analyze.h"

namespace preloop::shell {

struct Exec;

// Records an Unknown for `IFS=…` holding a character other than blanks (not
// as a prefix of read/mapfile) and for `CDPATH=…`. `command` is the command the
// assignment prefixes, "" for a plain assignment or export.
void note_assignment(Analysis& out, std::string_view name, std::string_view value, std::string_view command);

// Files written earlier in the command line, by resolved path: the literal
// text written when known (redirects of echo, printf, cat <<EOF), and the
// name of the last command writing it.
class WrittenFiles {
 public:
  struct Entry {
    std::optional<std::string> text;
    std::string writer;
  };
  // A redirect of `writer` to `path`; `append` for >>.
  // `text` is copied only when it is kept (at most 64 KiB in all).
  void note(const std::string& path, const std::optional<std::string>& text, std::string_view writer, bool append);
  // The same, taking the text when it is kept.
  void note(const std::string& path, std::optional<std::string>&& text, std::string_view writer, bool append);
  const Entry* find(const std::string& path) const;

 private:
  template <class Text>
  void note_impl(const std::string& path, Text&& text, std::string_view writer, bool append);
  std::map<std::string, Entry> files_;
};

// Where the entries a pipeline stage lists lie, for xargs: "<dir>/?*" for
// each directory the producer lists below (find DIR, fd, grep -rl DIR, and
// the working directory for ls, git ls-files, git diff --name-only; the names
// given to `ls NAME…` themselves). Empty
// when the producer's output cannot be bounded.
std::vector<std::string> listed_entries(const Analysis& out, const Exec& e);

}  // namespace preloop::shell
