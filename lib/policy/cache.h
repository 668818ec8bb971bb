// The policy snapshot: parsed policy layers in a binary form, so that a hook
// process does not parse YAML on every tool call (yaml-cpp costs ~1.5 µs per
// byte; the snapshot loads in a few microseconds). Stored with
// config/snapshot.h, keyed by the policy files, the binary, the profile, the
// project's trust and the embedded packs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/snapshot.h"
#include "policy/engine.h"

namespace preloop::policy {

std::string serialize_layers(const std::vector<LayerDocs>& layers);
// nullopt when the data is not a complete snapshot of this format.
std::optional<std::vector<LayerDocs>> deserialize_layers(std::string_view data);

// Reads the snapshot saved under `dir` for `key`; nullopt when absent, stale or damaged.
std::optional<std::vector<LayerDocs>> read_cached(const std::filesystem::path& dir, const snapshot::Key& key);
// Saves a snapshot (see snapshot::write); failures are ignored.
void write_cached(const std::filesystem::path& dir, const snapshot::Key& key, const std::vector<LayerDocs>& layers);

}  // namespace preloop::policy
