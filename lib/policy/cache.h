// A binary snapshot of parsed policy layers, so that a hook process does not
// parse YAML on every tool call (yaml-cpp costs ~1.5 µs per byte; the
// snapshot loads in a few microseconds). Keyed by the inputs' identity
// (path, size, mtime, inode), the binary, the profile and the embedded packs.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/engine.h"

namespace preloop::policy {

std::string serialize_layers(const std::vector<LayerDocs>& layers);
// nullopt when the data is not a complete snapshot of this format.
std::optional<std::vector<LayerDocs>> deserialize_layers(std::string_view data);

// Identity of the inputs: one line per file (path, size, mtime, inode), the
// running binary's first; empty (do not cache) when the binary cannot be identified.
std::string input_signature(const std::vector<std::pair<std::string, std::filesystem::path>>& files,
                            const std::string& extra);

// Reads a snapshot saved under `dir` for `signature`; nullopt when absent or stale.
std::optional<std::vector<LayerDocs>> read_cached(const std::filesystem::path& dir, const std::string& signature);
// Saves a snapshot atomically (temp file + rename) with `mode`; failures are ignored.
void write_cached(const std::filesystem::path& dir, const std::string& signature, const std::vector<LayerDocs>& layers,
                  unsigned mode = 0600);

}  // namespace preloop::policy
