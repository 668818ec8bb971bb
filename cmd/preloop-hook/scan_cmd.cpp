// preloop-hook scan FILE|-: report the secrets in a file or stdin (masked).
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "commands.h"
#include "config/config.h"
#include "secrets/detector.h"
#include "secrets/json_scan.h"
#include "secrets/marker.h"

namespace preloop::cmd {

void add_scan_command(CLI::App& app) {
  struct Options {
    std::string input;
    bool mask = false;
  };
  auto opt = std::make_shared<Options>();
  auto* scan = app.add_subcommand(
      "scan",
      "Report the secrets in FILE (or stdin with -) with the detectors the hook uses, including the `secrets:` "
      "patterns and allowlist of the config. Prints one line per secret: kind, FILE:line:column and its masked "
      "marker; never the secret itself. Exit status: 0 nothing found, 1 secrets found (0 with --mask, which "
      "works as a filter), 2 unreadable input or invalid config.");
  scan->add_option("FILE", opt->input, "file to scan, or - for stdin")->required();
  scan->add_flag("--mask", opt->mask, "print the input with every secret masked instead of the report");
  scan->callback([opt] {
    std::string text;
    if (opt->input == "-") {
      text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    } else {
      std::ifstream in(opt->input, std::ios::binary);
      if (!in) {
        std::cerr << "preloop-hook scan: cannot read " << opt->input << "\n";
        throw CLI::RuntimeError(2);
      }
      std::ostringstream ss;
      ss << in.rdbuf();
      text = ss.str();
    }
    std::vector<secrets::Finding> found;
    try {
      Config config = load_config();
      found = secrets::detector_for(&config).scan(text);
    } catch (const ConfigError& e) {
      std::cerr << "preloop-hook scan: " << e.what() << "\n";
      throw CLI::RuntimeError(2);
    }
    if (opt->mask) {
      secrets::apply_masks(text, found, "");
      std::cout << text;
      return;
    }
    {
      for (const auto& line : secrets::describe(found, text, opt->input == "-" ? "<stdin>" : opt->input))
        std::cout << line << "\n";
    }
    if (!found.empty()) throw CLI::RuntimeError(1);
  });
}

}  // namespace preloop::cmd
