// The secret detector: built-in and user rules behind a keyword prefilter.
// Rule regexes compile on first use, so a process pays only for the rules
// whose keywords occur in what it scans.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "secrets/finding.h"
#include "secrets/settings.h"

namespace preloop {
struct Config;
}

namespace preloop::secrets {

class Detector {
 public:
  explicit Detector(Settings settings = {});
  ~Detector();
  Detector(const Detector&) = delete;
  Detector& operator=(const Detector&) = delete;

  // Findings sorted by start, non-overlapping (a token format wins over a
  // `name = value` match of the same bytes, else the longer match). Safe to
  // call from several threads.
  std::vector<Finding> scan(std::string_view text) const;

  const Settings& settings() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The detector for a config's `secrets:` section (built-ins only for null),
// built once and reused while the section is unchanged. Throws ConfigError
// when the section is invalid.
const Detector& detector_for(const Config* config);

}  // namespace preloop::secrets
