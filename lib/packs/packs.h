// Built-in rule packs, embedded in the binary from rules/packs/*.yaml.
#pragma once

#include <span>
#include <string_view>

namespace preloop::packs {

struct EmbeddedPack {
  std::string_view name;  // file stem, e.g. "core"
  std::string_view file;  // "rules/packs/core.yaml"
  std::string_view text;  // the YAML document
};

// Every embedded pack, sorted by name. Which packs a profile enables is
// declared in each pack (metadata.profiles) and applied by the policy loader.
std::span<const EmbeddedPack> all();

// A hash of every embedded pack's text: changes whenever a pack does.
unsigned long long fingerprint();

}  // namespace preloop::packs
