// preloop-hook scan PATH...|-: report the secrets in files, directories or stdin (masked).
#include <iostream>
#include <iterator>
#include <memory>

#include "commands.h"
#include "config/config.h"
#include "config/safe_file.h"
#include "scan/report.h"
#include "scan/walk.h"
#include "secrets/detector.h"
#include "secrets/marker.h"

namespace preloop::cmd {

namespace {

constexpr FileRule kScanned{"scanned files", 64u << 20, true};

struct Options {
  std::vector<std::string> inputs;
  std::string format = "text";
  bool mask = false;
};

std::string read_stdin() {
  return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

void run_scan(const Options& opt) {
  const secrets::Detector* detector = nullptr;
  Config config;
  try {
    config = load_config();
    detector = &secrets::detector_for(&config);
  } catch (const ConfigError& e) {
    fail(2, "scan: " + std::string(e.what()));
  }
  if (opt.mask) {  // a filter: one input in, the same text masked out
    if (opt.inputs.size() != 1) fail(2, "scan: --mask takes exactly one FILE or -");
    std::string text;
    try {
      text = opt.inputs[0] == "-" ? read_stdin() : read_file_safely(opt.inputs[0], kScanned).text;
    } catch (const FileError& e) {
      fail(2, "scan: " + std::string(e.what()));
    }
    secrets::apply_masks(text, detector->scan(text), "");
    std::cout << text;
    return;
  }
  scan::Report report;
  auto refuse = [&](const std::string& path, const std::string& why) {
    report.errors.emplace_back(path, why);
    std::cerr << "preloop-hook scan: " << why << "\n";
  };
  for (const auto& input : opt.inputs) {
    if (input == "-") {
      scan::scan_text(report, "<stdin>", read_stdin(), *detector);
      continue;
    }
    scan::walk(
        input,
        [&](const std::string& path) {
          try {
            scan::scan_text(report, path, read_file_safely(path, kScanned).text, *detector);
          } catch (const FileError& e) {
            refuse(path, e.what());
          }
        },
        refuse);
  }
  if (opt.format == "json") std::cout << scan::render_json(report).dump(2) << "\n";
  else if (opt.format == "sarif") std::cout << scan::render_sarif(report, PRELOOP_VERSION).dump(2) << "\n";
  else std::cout << scan::render_text(report);
  if (opt.format == "text" && !report.binary.empty())
    std::cerr << "preloop-hook scan: skipped " << report.binary.size() << " binary file(s)\n";
  if (!report.errors.empty()) throw CLI::RuntimeError(2);
  if (!report.findings.empty()) throw CLI::RuntimeError(1);
}

}  // namespace

void add_scan_command(CLI::App& app) {
  auto opt = std::make_shared<Options>();
  auto* scan = app.add_subcommand(
      "scan",
      "Report the secrets in files, directories (walked recursively, skipping .git and what .gitignore files "
      "ignore) or stdin (-), with the detectors the hook uses, including the `secrets:` patterns and allowlist of "
      "the config. Never prints a secret, only its masked marker. A path that cannot be read (missing, "
      "unreadable, a FIFO or device, over 64 MiB) is named on stderr. Exit status: 0 nothing found, 1 secrets "
      "found (0 with --mask, which works as a filter), 2 something could not be read or the config is invalid.");
  scan->add_option("PATH", opt->inputs, "files or directories to scan, or - for stdin")->required();
  scan->add_option("--format", opt->format, "text (one line per secret), json or sarif (SARIF 2.1.0)")
      ->check(CLI::IsMember({"text", "json", "sarif"}))
      ->capture_default_str();
  scan->add_flag("--mask", opt->mask, "print the input with every secret masked instead of the report");
  scan->callback([opt] { run_scan(*opt); });
}

}  // namespace preloop::cmd
