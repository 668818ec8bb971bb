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

// Identity of the inputs: the binary's build id, the extra options, then one
// line per file (path, size, mtime, inode, ctime); empty (do not cache) when
// the binary cannot be identified.
std::string input_signature(const std::vector<std::pair<std::string, std::filesystem::path>>& files,
                            const std::string& extra);
// The snapshot key for those inputs: its file named by the binary, the options
// and the paths; its contents bound to `signature` (input_signature's).
snapshot::Key snapshot_key(const std::vector<std::pair<std::string, std::filesystem::path>>& files,
                           const std::string& extra, const std::string& signature);

// Reads the snapshot saved under `dir` for `key`; nullopt when absent, stale or damaged.
std::optional<std::vector<LayerDocs>> read_cached(const std::filesystem::path& dir, const snapshot::Key& key);
// Saves a snapshot with `mode` (see snapshot::write); failures are ignored.
void write_cached(const std::filesystem::path& dir, const snapshot::Key& key, const std::vector<LayerDocs>& layers,
                  unsigned mode = 0600);

}  // namespace preloop::policy
