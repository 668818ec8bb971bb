// The words of a command line that may name a protected location, and
// which commands only read what they name.
#pragma once

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "shell/analyze.h"

namespace preloop::selfguard {

// Candidate path spellings in one word: the word, what follows `=` or an
// attached short option (`of=/x`, `--output=/x`, `-o/x`), `@file`, and the
// pieces of code strings split at quotes, spaces and punctuation. Each
// token once, in the order first seen, as a view into the word (which must
// outlive `out`).
struct PathTokens {
  static constexpr std::size_t kHashed = 32;  // tokens from which on `seen` is kept
  std::vector<std::string_view> list;
  std::unordered_set<std::string_view> seen;
};
void path_tokens(std::string_view word, PathTokens& out);

// The command reads what it names and writes nothing (cat, grep, ls,
// git status/log/diff/show, jq, …); its own writes (redirects) are effects.
bool known_read_only(const shell::Command& c);

}  // namespace preloop::selfguard
