// The provenance settings in the config's `audit` section:
//
//   audit:
//     prompts: hash          # text (masked) | hash (keyed, the default) | off
//     prompt_secrets: mask   # mask (record it masked, let it through) | block
//     git_notes: false       # true: a note under refs/notes/preloop on each recorded commit
#pragma once

#include <stdexcept>
#include <string>

#include <yaml-cpp/yaml.h>

namespace preloop::provenance {

enum class PromptRecord { Text, Hash, Off };

struct Settings {
  PromptRecord prompts = PromptRecord::Hash;
  bool block_prompt_secrets = false;
  bool git_notes = false;
};

// Throws std::invalid_argument naming the key and the accepted values.
Settings parse_settings(const YAML::Node& audit_section);

}  // namespace preloop::provenance
