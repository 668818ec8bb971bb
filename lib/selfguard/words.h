// The words of a command line that may name a protected location, and
// which commands only read what they name.
#pragma once

#include <string>
#include <vector>

#include "shell/analyze.h"

namespace preloop::selfguard {

// Candidate path spellings in one word: the word, what follows `=` or an
// attached short option (`of=/x`, `--output=/x`, `-o/x`), `@file`, and the
// pieces of code strings split at quotes, spaces and punctuation.
void path_tokens(const std::string& word, std::vector<std::string>& out);

// The command reads what it names and writes nothing (cat, grep, ls,
// git status/log/diff/show, jq, …); its own writes (redirects) are effects.
bool known_read_only(const shell::Command& c);

}  // namespace preloop::selfguard
