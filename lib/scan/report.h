// What `preloop-hook scan` found, and its output formats: text (one line per
// secret, as the hook's messages), JSON, and SARIF 2.1.0 for code-scanning
// tools. Secrets appear only as their masked markers.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "secrets/detector.h"

namespace preloop::scan {

struct FileFinding {
  std::string file;
  std::size_t line = 0, column = 0;
  std::string kind, marker;
};

struct Report {
  std::vector<FileFinding> findings;
  std::vector<std::pair<std::string, std::string>> errors;  // file, why it was not read
  std::vector<std::string> binary;                          // files skipped as binary (a NUL byte)
  std::size_t files_scanned = 0;
};

// Scans one file's text into the report (a text with a NUL byte in its first
// 8 KiB is recorded as binary and not scanned).
void scan_text(Report& report, const std::string& label, const std::string& text, const secrets::Detector& detector);

std::string render_text(const Report& r);
nlohmann::json render_json(const Report& r);
nlohmann::json render_sarif(const Report& r, const std::string& tool_version);

}  // namespace preloop::scan
