// The `secrets:` section of config.yaml:
//
//   secrets:
//     on_file_write: deny     # deny | mask | allow   (Write/Edit/NotebookEdit content)
//     on_command: deny        # deny | mask | allow   (Bash/PowerShell command)
//     on_output: mask         # mask | allow          (PostToolUse tool output)
//     disable: [jwt]          # built-in kinds to turn off
//     patterns:               # extra detectors
//       - id: acme-token
//         regex: 'acme_[a-z0-9]{32}'
//         keywords: [acme_]   # optional prefilter (lowercase substrings)
//         group: 0            # optional capture group of the secret (default 1 if the regex has one, else 0)
//         entropy: 3.0        # optional minimum Shannon entropy
//     allowlist:
//       regexes: ['^sk_test_DEMO']   # a secret matching one is not reported
//       values: ['not-a-real-key']   # exact secrets not reported
#pragma once

#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "secrets/rules.h"

namespace preloop::secrets {

enum class Policy { Deny, Mask, Allow };

struct Settings {
  Policy on_file_write = Policy::Deny;
  Policy on_command = Policy::Deny;
  bool mask_output = true;
  std::vector<std::string> disabled;
  std::vector<Pattern> patterns;
  std::vector<std::string> allow_regexes;
  std::vector<std::string> allow_values;
};

// Parses and validates the section (an undefined node gives the defaults).
// Throws ConfigError ("secrets.patterns[0].regex: ...") on a bad value,
// including a regex RE2 rejects.
Settings parse_settings(const YAML::Node& section);

const char* to_string(Policy p);

}  // namespace preloop::secrets
