// Command-line option knowledge for the commands rules care about: which
// options take a value, long-option aliases, and flag splitting.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace preloop::shell {

struct ParsedArgs {
  std::vector<std::string> flags;
  std::vector<std::string> operands;
  std::vector<std::pair<std::string, std::string>> values;  // option -> value, in order
  std::map<std::string, std::string> options;               // last value per option
  std::vector<std::size_t> operand_index;                    // index in the input of each operand
};

// Parses `args` (the words after the command name) for command `name`;
// for git, `sub` selects the subcommand's options.
ParsedArgs parse_args(std::string_view name, const std::vector<std::string>& args);

// Git: skips global options (-C, -c, --git-dir=...) and returns the index of
// the subcommand word in `args` (args.size() when absent). `dir` receives -C.
std::size_t git_subcommand_index(const std::vector<std::string>& args, std::vector<std::string>* dirs);

}  // namespace preloop::shell
