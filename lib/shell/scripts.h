// Inline interpreter code (python -c, node -e, perl -e, ruby -e, php -r):
// which effects it has, and the shell command strings it hands to a shell.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace preloop::shell {

// "python", "node", "perl", "ruby", "php" for interpreter command names
// (python3.12, nodejs, bun, deno, ...), "" otherwise.
std::string interpreter_family(std::string_view name);

// Subset of {"delete", "exec", "network", "write"}, by keyword scan.
std::vector<std::string> script_effects(std::string_view family, std::string_view code);

// Candidate shell command strings in code that runs processes: string
// literals and lists of string literals (joined by spaces).
std::vector<std::string> embedded_commands(std::string_view code, std::size_t max = 32);

}  // namespace preloop::shell
