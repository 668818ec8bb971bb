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

// Subset of {"delete", "exec", "network", "write", "dynamic"}, by keyword scan;
// "dynamic": names computed at run time (getattr, __import__, obj['a'+'b'](),
// send, const_get, symbolic references), so the other effects cannot be known.
std::vector<std::string> script_effects(std::string_view family, std::string_view code);

// The code starts processes in an endless loop (fork while fork, while(1){fork},
// loop { fork }, while True: os.fork()).
bool forks_in_loop(std::string_view code);

// Literal block-device paths in the code ("/dev/sda", "/dev/nvme0n1", ...).
std::vector<std::string> block_devices(std::string_view code);

// Candidate shell command strings in code that runs processes: string
// literals and lists of string literals (joined by spaces).
std::vector<std::string> embedded_commands(std::string_view code, std::size_t max = 32);

}  // namespace preloop::shell
